namespace Sekisho.Testing;

/// <summary>
/// A clock that moves only when the test says so. Timers (including <c>Task.Delay</c> with this provider)
/// fire in due order while <see cref="Advance"/> moves time; a periodic timer fires at most once per call.
/// </summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _now = start;

    public ManualTimeProvider() : this(new DateTimeOffset(2026, 4, 1, 9, 0, 0, TimeSpan.Zero)) { }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock) return _now;
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var t = new ManualTimer(this, callback, state);
        t.Change(dueTime, period);
        return t;
    }

    public void Advance(TimeSpan by)
    {
        DateTimeOffset target;
        lock (_lock) target = _now + by;
        var fired = new HashSet<ManualTimer>();
        while (true)
        {
            ManualTimer? next = null;
            lock (_lock)
            {
                foreach (var t in _timers)
                    if (t.Due is { } d && d <= target && !fired.Contains(t) && (next is null || d < next.Due)) next = t;
                if (next is null) { _now = target; return; }
                if (next.Due > _now) _now = next.Due!.Value;
                fired.Add(next);
                next.Due = next.Period is { } p && p > TimeSpan.Zero ? _now + p : null;
                if (next.Due is null) _timers.Remove(next);
            }
            next.Fire();
        }
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? Due { get; set; }
        public TimeSpan? Period { get; private set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._lock)
            {
                owner._timers.Remove(this);
                Period = period == Timeout.InfiniteTimeSpan ? null : period;
                if (dueTime == Timeout.InfiniteTimeSpan) { Due = null; return true; }
                Due = owner._now + (dueTime < TimeSpan.Zero ? TimeSpan.Zero : dueTime);
                owner._timers.Add(this);
            }
            if (dueTime == TimeSpan.Zero) ThreadPool.QueueUserWorkItem(_ => { lock (owner._lock) { if (Due is null || Due > owner._now) return; owner._timers.Remove(this); Due = Period is { } p && p > TimeSpan.Zero ? owner._now + p : null; if (Due is not null) owner._timers.Add(this); } Fire(); });
            return true;
        }

        public void Dispose()
        {
            lock (owner._lock)
            {
                owner._timers.Remove(this);
                Due = null;
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
