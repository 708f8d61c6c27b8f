using Drover.Api.V1Alpha1;

namespace Drover.Gateway.Admission;

/// <summary>A usage bucket: an agent (all its traffic, its schedules' included) or one schedule of it.</summary>
internal readonly record struct BucketKey(string Namespace, string Agent, string? Schedule)
{
    public override string ToString() => Schedule is null ? $"{Namespace}/{Agent}" : $"{Namespace}/{Agent}/{Schedule}";
}

/// <summary>One budget day of one bucket, with its limits (null: not limited, only counted).</summary>
internal sealed record BudgetWindow(BucketKey Bucket, DateTimeOffset Start, DateTimeOffset End, long? TokenLimit, decimal? CostLimit);

/// <summary>What an admitted request holds against its budgets until its usage is known.</summary>
internal readonly record struct Reservation(long Tokens, decimal Cost);

/// <summary>Token counts as the gateway reports them: input includes cached, output includes reasoning.</summary>
internal readonly record struct TokenCounts(long Input, long Output, long CachedInput, long Reasoning)
{
    public long Total => Input + Output;

    public static TokenCounts operator +(TokenCounts a, TokenCounts b) =>
        new(a.Input + b.Input, a.Output + b.Output, a.CachedInput + b.CachedInput, a.Reasoning + b.Reasoning);
}

/// <summary>What one finished request used: charged to every window of its ticket.</summary>
/// <param name="Provider">namespace/name of the provider that answered (or was tried last).</param>
/// <param name="Model">The model the gateway asked for.</param>
/// <param name="Tokens">The provider's reported usage; zero when unknown.</param>
/// <param name="Cost">US dollars, from the provider's pricing.</param>
/// <param name="Succeeded">Whether a provider answered successfully.</param>
internal sealed record UsageCharge(string? Provider, string? Model, TokenCounts Tokens, decimal Cost, bool Succeeded);

/// <summary>Usage of one model in one window.</summary>
internal sealed record ModelUsageCounts(string Provider, string Model, TokenCounts Tokens, long Requests, decimal Cost);

/// <summary>Everything counted in one bucket's window so far.</summary>
internal sealed record WindowUsage(TokenCounts Tokens, long Requests, long FailedRequests, decimal Cost, IReadOnlyList<ModelUsageCounts> ByModel)
{
    public static WindowUsage Empty { get; } = new(default, 0, 0, 0m, []);
}

/// <summary>A request was let in: settle the ticket once its usage is known (or it failed).</summary>
internal sealed record BudgetTicket(string Id, IReadOnlyList<BudgetWindow> Windows, Reservation Reservation);

/// <summary>The outcome of asking the budgets for room.</summary>
internal sealed record BudgetDecision(BudgetTicket? Ticket, BudgetWindow? ExhaustedWindow)
{
    public bool Admitted => Ticket is not null;
}

/// <summary>A charge took a window's spending past a threshold (80 or 100 percent) for the first time in that window.</summary>
internal sealed record BudgetCrossing(BudgetWindow Window, int Percent, WindowUsage Usage);

/// <summary>Why a provider could not take a request in time.</summary>
internal enum ProviderLimitReason
{
    None,
    RequestsPerMinute,
    TokensPerMinute,
    Concurrency,
    CoolingDown,
}

/// <summary>Room at a provider for one request: release it when the request ends.</summary>
internal sealed record ProviderPermit(string Provider, bool Granted, long Tokens, bool HoldsSlot, ProviderLimitReason Refusal, TimeSpan? RetryAfter, TimeSpan Waited)
{
    /// <summary>The concurrency slot's id in a shared store (it expires unless its replica renews it); null in memory.</summary>
    public string? Slot { get; init; }

    /// <summary>Granted by the shared store (true) or by this replica alone (false), so it is released where it was taken.</summary>
    public bool Shared { get; init; }

    public static ProviderPermit Refused(string provider, ProviderLimitReason reason, TimeSpan? retryAfter, TimeSpan waited) =>
        new(provider, false, 0, false, reason, retryAfter, waited);
}

/// <summary>
/// Everything admission decides with, in one place: budget windows with their reservations, provider rate and
/// concurrency limits, and cooldowns. One replica keeps it in memory; several share it in an external store whose
/// operations are atomic, so N replicas admit what one would. The proxy talks only to this interface.
/// </summary>
internal interface IAdmissionState
{
    /// <summary>
    /// Atomically across <paramref name="windows"/>: when every window still has room (spent plus reserved below each
    /// limit), reserves <paramref name="reservation"/> in all of them and returns a ticket; otherwise reserves nothing and
    /// names the first exhausted window. Windows without limits always have room.
    /// </summary>
    ValueTask<BudgetDecision> ReserveAsync(IReadOnlyList<BudgetWindow> windows, Reservation reservation, CancellationToken cancellationToken);

    /// <summary>
    /// Releases the ticket's reservation and adds <paramref name="charge"/> to each of its windows (a request, or a
    /// failed request, and its tokens and cost). Returns each 80 and 100 percent threshold this charge crossed, so
    /// exactly one caller, on whichever replica, sees each crossing.
    /// </summary>
    ValueTask<IReadOnlyList<BudgetCrossing>> SettleAsync(BudgetTicket ticket, UsageCharge charge, CancellationToken cancellationToken);

    /// <summary>What the bucket has counted in the window starting at <paramref name="windowStart"/>.</summary>
    ValueTask<WindowUsage> ReadAsync(BucketKey bucket, DateTimeOffset windowStart, CancellationToken cancellationToken);

    /// <summary>
    /// Seeds a window with usage counted before a restart (read back from status). Counts already held are kept when
    /// larger, so restoring twice, or on a replica that already counted, never lowers or doubles anything.
    /// </summary>
    ValueTask RestoreAsync(BucketKey bucket, DateTimeOffset windowStart, WindowUsage usage, CancellationToken cancellationToken);

    /// <summary>
    /// Room at a provider for one request of <paramref name="tokens"/> estimated tokens under <paramref name="limits"/>
    /// (shared by every caller), waiting up to <paramref name="maxWait"/> for it. A refused permit holds nothing.
    /// </summary>
    ValueTask<ProviderPermit> AcquireAsync(string provider, ProviderLimits? limits, long tokens, TimeSpan maxWait, CancellationToken cancellationToken);

    /// <summary>Gives back a granted permit's concurrency slot and corrects its token estimate to what was used.</summary>
    ValueTask ReleaseAsync(ProviderPermit permit, long actualTokens, CancellationToken cancellationToken);

    /// <summary>The provider asked callers to wait (Retry-After): no permit is granted before <paramref name="until"/>.</summary>
    ValueTask CoolDownAsync(string provider, DateTimeOffset until, CancellationToken cancellationToken);
}
