using System.Globalization;
using System.Text.Json.Nodes;
using Drover.DevCluster.Protocol;
using Drover.DevCluster.Storage;
using Drover.DevCluster.Writes;

namespace Drover.DevCluster.TestControls;

/// <summary>Puts an object straight into the store for <see cref="FaultInjector.InjectObject"/>, past every check the API makes.</summary>
internal static class ObjectInjection
{
    public static string Inject(ResourceOperations operations, TimeProvider time, string group, string version, string plural, JsonObject obj)
    {
        var type = operations.Catalog.Find(group, version, plural)
            ?? throw new ArgumentException($"the dev cluster serves no {plural} in {(group.Length == 0 ? version : group + "/" + version)}", nameof(plural));
        obj["apiVersion"] ??= type.ApiVersion;
        obj["kind"] ??= type.Kind;
        var metadata = obj["metadata"] as JsonObject ?? throw new ArgumentException("the injected object needs metadata.name", nameof(obj));
        var name = Json.String(metadata, "name");
        if (string.IsNullOrEmpty(name))
        {
            throw new ArgumentException("the injected object needs metadata.name", nameof(obj));
        }

        var ns = Json.String(metadata, "namespace") ?? string.Empty;
        if (type.Namespaced && ns.Length == 0)
        {
            throw new ArgumentException($"{type.Kind} is namespaced: the injected object needs metadata.namespace", nameof(obj));
        }

        if (!type.Namespaced)
        {
            metadata.Remove("namespace");
            ns = string.Empty;
        }

        var store = operations.ObjectStore;
        var existing = store.Get(type.StorageKey, ns, name);
        metadata["uid"] ??= existing?.Uid ?? Guid.NewGuid().ToString();
        metadata["creationTimestamp"] ??= existing?.Metadata["creationTimestamp"]?.DeepClone() ?? KubeTime.Format(time.GetUtcNow());
        if (type.HasGeneration)
        {
            metadata["generation"] ??= 1;
        }

        metadata.Remove("resourceVersion");
        var stored = existing is null
            ? store.Create(type.StorageKey, obj)
            : store.Update(type.StorageKey, obj, existing.ResourceVersion) is { Status: WriteStatus.Done } outcome ? outcome.Object : null;
        return stored?.ResourceVersion.ToString(CultureInfo.InvariantCulture)
            ?? throw new InvalidOperationException($"{type.Kind} {name} changed while it was being injected; try again");
    }
}
