namespace Drover.ControllerRuntime.Informers;

/// <summary>What a host needs from any informer regardless of its object type: run it, know when it is warm and healthy.</summary>
public interface IInformer
{
    string Name { get; }

    /// <summary>The API group of the kind it caches (empty for the core group).</summary>
    string Group { get; }

    /// <summary>The plural resource name of the kind it caches, as RBAC rules name it.</summary>
    string Resource { get; }

    /// <summary>Whether the kind lives in namespaces (a Role can grant it) or is cluster-scoped (only a ClusterRole can).</summary>
    bool Namespaced { get; }

    /// <summary>Completes once every namespace has been listed once and the cache holds the initial state.</summary>
    Task HasSynced { get; }

    bool IsSynced { get; }

    /// <summary>Lists and watches until cancelled.</summary>
    Task RunAsync(CancellationToken cancellationToken);

    /// <summary>Judges whether the informer is stuck: no list/watch progress for longer than <paramref name="threshold"/>.</summary>
    InformerHealth GetHealth(TimeSpan threshold);
}

public sealed record InformerHealth(string Name, bool Synced, bool Stuck, string Description);
