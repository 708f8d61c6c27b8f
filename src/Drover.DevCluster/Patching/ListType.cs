namespace Drover.DevCluster.Patching;

/// <summary>How server-side apply merges a list (<c>x-kubernetes-list-type</c>).</summary>
public enum ListType
{
    /// <summary>The whole list is one value, replaced and owned as a unit.</summary>
    Atomic,

    /// <summary>Scalar items, each owned on its own (<c>v:</c> paths).</summary>
    Set,

    /// <summary>Object items identified by <c>x-kubernetes-list-map-keys</c> (<c>k:</c> paths).</summary>
    Map,
}
