using System.Reflection;
using System.Text.Json.Serialization;
using Sekisho.Model.Rules;

namespace Sekisho.Model.Serialization;

/// <summary>The discriminator names of criteria and actions, as written in policy files.</summary>
public static class CriterionNames
{
    private static readonly Dictionary<Type, string> Names = typeof(Criterion).GetCustomAttributes<JsonDerivedTypeAttribute>()
        .Concat(typeof(InterceptAction).GetCustomAttributes<JsonDerivedTypeAttribute>())
        .Concat(typeof(ModifyAction).GetCustomAttributes<JsonDerivedTypeAttribute>())
        .Concat(typeof(MonitorAction).GetCustomAttributes<JsonDerivedTypeAttribute>())
        .ToDictionary(a => a.DerivedType, a => (string)a.TypeDiscriminator!);

    /// <summary>The name of a criterion or action (e.g. "attachment-true-type", "quarantine").</summary>
    public static string Of(object criterionOrAction) => Names.TryGetValue(criterionOrAction.GetType(), out var n) ? n : criterionOrAction.GetType().Name;
}
