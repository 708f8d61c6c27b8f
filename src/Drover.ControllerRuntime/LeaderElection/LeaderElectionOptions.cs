namespace Drover.ControllerRuntime.LeaderElection;

/// <summary>client-go's defaults: a 15 s lease, renewed every 2 s, given up if not renewed within 10 s.</summary>
public sealed record LeaderElectionOptions
{
    /// <summary>Who we are in <c>holderIdentity</c>; the pod name is a good choice.</summary>
    public string Identity { get; init; } = Environment.MachineName + "_" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>How long standbys wait after the last renewal they saw before taking over.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the leader keeps trying to renew before it stops leading.</summary>
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Time between attempts to acquire or renew.</summary>
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Extra random wait between acquire attempts, as a fraction of <see cref="RetryPeriod"/>.</summary>
    public double JitterFactor { get; init; } = 0.2;

    /// <summary>On graceful stop, clear the holder and shorten the lease so a standby takes over at its next attempt.</summary>
    public bool ReleaseOnCancel { get; init; } = true;
}
