using MimeKit;
using Sekisho.Mail.Text;

namespace Sekisho.Mail;

/// <summary>
/// Turns the bytes of one message into <see cref="MessageFacts"/>. Thread-safe and reusable: each call
/// works on its own state. Broken input never throws; it produces facts plus scan exceptions. Only the
/// caller's cancellation token ends a call with <see cref="OperationCanceledException"/>.
/// </summary>
public sealed class MessageInspector
{
    private readonly InspectionOptions _options;
    private readonly TimeProvider _time;

    static MessageInspector() => Charsets.EnsureRegistered();

    /// <summary>Creates an inspector with the given limits (the defaults when null) and clock for the time budget.</summary>
    public MessageInspector(InspectionOptions? options = null, TimeProvider? timeProvider = null)
    {
        _options = options ?? InspectionOptions.Default;
        _options.Validate();
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The limits this inspector applies.</summary>
    public InspectionOptions Options => _options;

    /// <summary>Inspects a message held in memory.</summary>
    public Task<MessageFacts> InspectAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Inspect(message, message.Length, cancellationToken));
    }

    /// <summary>Reads a message from a stream (up to <see cref="InspectionOptions.MaxMessageBytes"/>) and inspects it.</summary>
    public async Task<MessageFacts> InspectAsync(Stream message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        long total = 0;
        int n;
        while ((n = await message.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += n;
            if (total <= _options.MaxMessageBytes) buffer.Write(chunk, 0, n);
        }
        if (total > _options.MaxMessageBytes)
            return TooLarge(total);
        return Inspect(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), total, cancellationToken);
    }

    /// <summary>Inspects a message held in memory, synchronously.</summary>
    public MessageFacts Inspect(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default) =>
        Inspect(message, message.Length, cancellationToken);

    private MessageFacts Inspect(ReadOnlyMemory<byte> message, long size, CancellationToken cancellationToken)
    {
        if (size > _options.MaxMessageBytes)
            return TooLarge(size);
        using var budget = new CancellationTokenSource(_options.TimeBudget, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        var context = new InspectionContext(_options, linked.Token);
        try
        {
            context.Run(message);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            context.AddException(ScanExceptionKind.TimeBudgetExceeded, null, null, $"more than {_options.TimeBudget.TotalSeconds:0.###} s");
        }
        return context.Build(size);
    }

    private MessageFacts TooLarge(long size) => new()
    {
        SizeBytes = size,
        Headers = new MessageHeaders(),
        BodyText = "",
        Parts = [],
        Attachments = [],
        Urls = [],
        Security = MessageSecurity.None,
        ScanExceptions = [new ScanException(ScanExceptionKind.MessageTooLarge, null, null, $"{size} bytes, limit {_options.MaxMessageBytes}")],
    };
}
