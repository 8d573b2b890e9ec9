namespace Sekisho.Model.Rules;

/// <summary>Whether any criterion or all of them must match.</summary>
public enum MatchMode
{
    Any,
    All,
}

/// <summary>A rule's scanning criteria (tab 検索条件). An empty set matches every message (content rules: "no criteria").</summary>
public sealed record CriteriaSet(MatchMode Match, IReadOnlyList<Criterion> Items)
{
    public static readonly CriteriaSet Empty = new(MatchMode.Any, []);

    public static CriteriaSet AnyOf(params Criterion[] items) => new(MatchMode.Any, items);

    public static CriteriaSet AllOf(params Criterion[] items) => new(MatchMode.All, items);
}
