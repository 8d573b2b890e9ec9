using Sekisho.Model.Rules;

namespace Sekisho.Policy.Matching;

/// <summary>Evaluates the size and count comparisons of criteria.</summary>
public static class Comparisons
{
    public static bool Holds(Comparison comparison, long value, long operand) => comparison switch
    {
        Comparison.GreaterThan => value > operand,
        Comparison.GreaterOrEqual => value >= operand,
        Comparison.LessThan => value < operand,
        Comparison.LessOrEqual => value <= operand,
        Comparison.Equal => value == operand,
        _ => false,
    };

    public static string Symbol(Comparison comparison) => comparison switch
    {
        Comparison.GreaterThan => ">",
        Comparison.GreaterOrEqual => ">=",
        Comparison.LessThan => "<",
        Comparison.LessOrEqual => "<=",
        _ => "=",
    };
}
