using System.Text.Json.Serialization.Metadata;
using k8s;
using k8s.Models;

namespace Drover.ControllerRuntime.Client;

/// <summary>
/// Everything the runtime needs to talk to the API server about one kind without reflection:
/// where it lives (group, version, plural, scope) and how to read and write it (a source-generated type info).
/// Lists are decoded item by item with <see cref="TypeInfo"/>, so no list type is needed.
/// </summary>
public sealed class ResourceKind<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    public ResourceKind(string group, string version, string plural, string kind, bool namespaced, JsonTypeInfo<T> typeInfo)
    {
        ArgumentException.ThrowIfNullOrEmpty(version);
        ArgumentException.ThrowIfNullOrEmpty(plural);
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentNullException.ThrowIfNull(typeInfo);
        Group = group ?? string.Empty;
        Version = version;
        Plural = plural;
        Kind = kind;
        Namespaced = namespaced;
        TypeInfo = typeInfo;
    }

    public string Group { get; }

    public string Version { get; }

    public string Plural { get; }

    public string Kind { get; }

    public bool Namespaced { get; }

    public JsonTypeInfo<T> TypeInfo { get; }

    /// <summary>The <c>apiVersion</c> field value: <c>v1</c> for the core group, <c>group/version</c> otherwise.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>A short name for logs and metric labels, e.g. <c>configmaps</c> or <c>agents.drover.dev</c>.</summary>
    public string Resource => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    /// <summary>The collection path, e.g. <c>/api/v1/namespaces/ns/configmaps</c>; cluster-wide when <paramref name="ns"/> is empty.</summary>
    public string CollectionPath(string? ns)
    {
        var root = Group.Length == 0 ? "/api/v1" : $"/apis/{Group}/{Version}";
        if (Group.Length == 0 && Version != "v1")
        {
            root = $"/api/{Version}";
        }

        return Namespaced && !string.IsNullOrEmpty(ns)
            ? $"{root}/namespaces/{Uri.EscapeDataString(ns)}/{Plural}"
            : $"{root}/{Plural}";
    }

    public string ObjectPath(string? ns, string name) => $"{CollectionPath(ns)}/{Uri.EscapeDataString(name)}";

    public override string ToString() => Resource;
}
