using System.Text.Json.Nodes;
using Drover.ControllerRuntime.Client;
using k8s;
using k8s.Models;

namespace Drover.ControllerRuntime.Apply;

/// <summary>Adds and removes finalizers with a merge patch guarded by the resourceVersion read (409 if it moved).</summary>
public static class Finalizers
{
    public static bool Has(IKubernetesObject<V1ObjectMeta> obj, string finalizer) =>
        obj?.Metadata?.Finalizers?.Contains(finalizer) == true;

    /// <summary>Adds <paramref name="finalizer"/> unless present; returns the updated object, or null when nothing was sent.</summary>
    public static Task<T?> AddAsync<T>(KubeApiClient client, ResourceKind<T> kind, T obj, string finalizer, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(obj);
        return Has(obj, finalizer)
            ? Task.FromResult<T?>(null)
            : PatchAsync(client, kind, obj, [.. obj.Metadata.Finalizers ?? [], finalizer], cancellationToken);
    }

    /// <summary>Removes <paramref name="finalizer"/> if present; returns the updated object, or null when nothing was sent.</summary>
    public static Task<T?> RemoveAsync<T>(KubeApiClient client, ResourceKind<T> kind, T obj, string finalizer, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(obj);
        return !Has(obj, finalizer)
            ? Task.FromResult<T?>(null)
            : PatchAsync(client, kind, obj, [.. obj.Metadata.Finalizers!.Where(f => f != finalizer)], cancellationToken);
    }

    private static async Task<T?> PatchAsync<T>(KubeApiClient client, ResourceKind<T> kind, T obj, List<string> finalizers, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(client);
        var list = new JsonArray();
        foreach (var finalizer in finalizers)
        {
            list.Add((JsonNode?)JsonValue.Create(finalizer));
        }

        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["finalizers"] = list,
                ["resourceVersion"] = obj.Metadata.ResourceVersion,
            },
        };
        return await client.MergePatchAsync(kind, obj.Metadata.NamespaceProperty, obj.Metadata.Name, patch, subresource: null, cancellationToken);
    }
}
