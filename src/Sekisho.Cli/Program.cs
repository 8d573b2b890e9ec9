using System.CommandLine;
using System.Text;
using Sekisho.Cli.Commands;
using Sekisho.Cli.Localization;
using Sekisho.Store;

namespace Sekisho.Cli;

/// <summary>Entry point of the <c>sekisho</c> command. Exit codes: 0 success, 1 user error (one line), 2 internal failure.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        Console.OutputEncoding = new UTF8Encoding(false);
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
        return await RunAsync(args, Console.Out, Console.Error, TimeProvider.System, cts.Token, input: Console.In);
    }

    /// <summary>Runs the command line with the given writers (tests call this in-process).</summary>
    /// <param name="localeLanguage">The language when --lang is absent; null = from the locale environment.</param>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, TimeProvider time, CancellationToken ct = default,
        string? localeLanguage = null, TextReader? input = null)
    {
        // Japanese mail needs ISO-2022-JP, Shift_JIS and EUC-JP: register them before anything (MimeKit included) decodes text.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        CliText.Language = CliText.Detect(args, localeLanguage);
        var app = new CliApp(output, error, time, input);
        var root = app.BuildRoot();
        var parse = root.Parse(args);
        var config = new InvocationConfiguration { Output = output, Error = error };
        return await parse.InvokeAsync(config, ct);
    }
}

/// <summary>Builds the command tree and runs verbs with uniform error handling.</summary>
internal sealed class CliApp(TextWriter output, TextWriter error, TimeProvider time, TextReader? input = null)
{
    public GlobalOptions Globals { get; } = new();

    public RootCommand BuildRoot()
    {
        var root = new RootCommand(CliText.T("root.description"));
        Globals.AddTo(root);
        root.Subcommands.Add(DomainCommands.Create(this));
        root.Subcommands.Add(PolicyCommands.Create(this));
        root.Subcommands.Add(AuditCommands.Create(this));
        root.Subcommands.Add(MigrateCommands.Create(this));
        root.Subcommands.Add(ServeCommand.Create(this));
        root.Subcommands.Add(QueueCommands.Create(this));
        root.Subcommands.Add(LogCommands.Create(this));
        root.Subcommands.Add(QuarantineCommands.Create(this));
        root.Subcommands.Add(AdminCommands.Create(this));
        root.Subcommands.Add(EndUserCommands.Create(this));
        root.Subcommands.Add(AuthCommands.Create(this));
        root.Subcommands.Add(DkimCommands.Create(this));
        return root;
    }

    /// <summary>Wraps a verb: builds its context, turns user errors into one line and exit 1, anything else into exit 2.</summary>
    public Func<ParseResult, CancellationToken, Task<int>> Run(Func<CliContext, CancellationToken, Task<int>> verb) => async (parse, ct) =>
    {
        var ctx = new CliContext(parse, Globals, output, error, time, input);
        try
        {
            return await verb(ctx, ct);
        }
        catch (CliUserException e)
        {
            error.WriteLine($"sekisho: {e.Message}");
            return 1;
        }
        catch (StoreException e)
        {
            error.WriteLine($"sekisho: {e.Text.For(ctx.Language)}");
            return 1;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return 130;
        }
        catch (Exception e)
        {
            error.WriteLine("sekisho: " + CliText.T("error.internal", e.Message));
            if (Environment.GetEnvironmentVariable("SEKISHO_DEBUG") == "1") error.WriteLine(e);
            return 2;
        }
    };
}
