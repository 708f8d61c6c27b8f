namespace Drover.DevCluster;

/// <summary>How to run a dev cluster.</summary>
public sealed class DevClusterOptions
{
    /// <summary>TCP port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>Marks Deployments available and completes Jobs, as kubelets and controllers would.</summary>
    public bool SimulateKubelet { get; init; }

    /// <summary>Events retained for watch resumption; older resourceVersions get 410 Expired.</summary>
    public int WatchHistoryLimit { get; init; } = 10_000;

    /// <summary>How long a changed Deployment (or a Job) takes to settle under the simulated kubelet.</summary>
    public TimeSpan RolloutDelay { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>How often watches that allow bookmarks get one.</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Events a watcher may have queued before it is closed as too slow.</summary>
    public int WatchBufferSize { get; init; } = 10_000;

    /// <summary>Logs every request (method, path, status) at Information level.</summary>
    public bool LogRequests { get; init; }

    /// <summary>Clock for timestamps and timers; tests may substitute a fake one.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
