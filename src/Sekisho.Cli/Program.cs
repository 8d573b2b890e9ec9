using System.CommandLine;

namespace Sekisho.Cli;

/// <summary>Entry point of the <c>sekisho</c> command.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("Sekisho (関所): email security gateway and InterScan MSS/IMSVA migration tool");
        return root.Parse(args).Invoke();
    }
}
