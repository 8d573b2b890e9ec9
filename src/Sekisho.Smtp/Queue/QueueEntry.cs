using Sekisho.Smtp.Protocol;
using Sekisho.Smtp.Spool;

namespace Sekisho.Smtp.Queue;

/// <summary>The live state of one recipient of a queued message (rebuilt from the queue file after a restart).</summary>
internal sealed class RecipientRuntime(int index, QueuedRecipient recipient)
{
    public int Index { get; } = index;
    public QueuedRecipient Recipient { get; } = recipient;
    public SmtpMailbox Mailbox { get; } = SmtpMailbox.Parse(recipient.Address);
    public RecipientState State { get; set; } = RecipientState.Pending;
    public int Attempts { get; set; }
    public DateTimeOffset? NextAttempt { get; set; }
    public DateTimeOffset? NotBefore { get; set; }
    public int Copy { get; set; }
    public NextHop? Route { get; set; }
    public IReadOnlyList<string> Rules { get; set; } = [];
    public string? LastReply { get; set; }
    public string? Hop { get; set; }
    public string? Tls { get; set; }
    public bool Notified { get; set; }

    public bool IsFinal => State is RecipientState.Delivered or RecipientState.Bounced or RecipientState.Expired or RecipientState.Quarantined or RecipientState.Deleted;
    public bool NeedsDsn => State is RecipientState.Bounced or RecipientState.Expired && !Notified;

    public RecipientStatus ToStatus(DateTimeOffset at) => new(Index, State, at, Attempts, NextAttempt, LastReply, Hop, Tls, Notified);

    public void Apply(RecipientStatus s)
    {
        State = s.State;
        Attempts = s.Attempts;
        NextAttempt = s.NextAttempt;
        LastReply = s.Reply;
        Hop = s.Hop;
        Tls = s.Tls;
        Notified = s.Notified;
    }
}

/// <summary>A queued message: where its file is and what each recipient waits for. Guarded by <see cref="Gate"/>.</summary>
internal sealed class QueueEntry
{
    public QueueEntry(string path, QueuedEnvelope envelope, long dataOffset, long dataLength)
    {
        Path = path;
        Envelope = envelope;
        DataOffset = dataOffset;
        DataLength = dataLength;
        Recipients = envelope.Recipients.Select((r, i) => new RecipientRuntime(i, r)).ToArray();
    }

    public Lock Gate { get; } = new();
    public string Id => Envelope.Id;
    public string Path { get; set; }
    public QueuedEnvelope Envelope { get; }
    public long DataOffset { get; }
    public long DataLength { get; }
    public List<(long Offset, long Length)> Copies { get; } = [];
    public MessageFacts? Facts { get; set; }
    public RecipientRuntime[] Recipients { get; }
    public long ValidLength { get; set; }
    public bool PolicyDone { get; set; }
    public bool Held { get; set; }
    public bool Busy { get; set; }
    public bool Removed { get; set; }
    /// <summary>Bumped at every (re)schedule so stale timer entries are ignored.</summary>
    public long ScheduleVersion { get; set; }

    public bool AllFinal => Recipients.All(r => r.IsFinal);

    /// <summary>The earliest time a recipient can be tried, or null when none waits.</summary>
    public DateTimeOffset? NextDue()
    {
        DateTimeOffset? min = null;
        foreach (var r in Recipients)
        {
            if (r.IsFinal) continue;
            var t = Max(r.NextAttempt ?? DateTimeOffset.MinValue, r.NotBefore ?? DateTimeOffset.MinValue);
            if (min is null || t < min) min = t;
        }
        return min;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    /// <summary>Content of a copy (0 is the original).</summary>
    public (long Offset, long Length) ContentRange(int copy) => copy == 0 ? (DataOffset, DataLength) : Copies[copy - 1];

    public IMessageContent Content(int copy)
    {
        var (o, l) = ContentRange(copy);
        return new SpooledContent(this, o, l);
    }
}

/// <summary>Content of a queue file; it follows the file when it moves from incoming to the queue.</summary>
internal sealed class SpooledContent(QueueEntry entry, long offset, long length) : IMessageContent
{
    public long Length => length;
    public Stream OpenRead() => new FileSliceStream(entry.Path, offset, length);
}
