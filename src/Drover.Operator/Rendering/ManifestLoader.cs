using System.Text.Json;
using System.Text.Json.Nodes;
using Drover.Api;
using Drover.Api.V1Alpha1;
using Drover.Operator.Children;
using Drover.Operator.Resolution;
using k8s;
using k8s.Models;
using YamlDotNet.Core;

namespace Drover.Operator.Rendering;

/// <summary>
/// Loads manifests (files, or directories searched for *.yaml, *.yml and *.json) into an <see cref="InMemoryCluster"/>:
/// Drover kinds, plus the Secrets, ConfigMaps, Services and Namespaces they refer to. Other kinds (a
/// Kustomization, a Deployment) are skipped, as they play no part in what the operator would create.
/// </summary>
internal static class ManifestLoader
{
    /// <param name="paths">Files or directories.</param>
    /// <param name="defaultNamespace">Namespace of objects that name none, as kubectl's current namespace would.</param>
    /// <param name="cluster">Receives every object read.</param>
    /// <returns>Problems with the input, each naming the file (and document) at fault; empty when all was read.</returns>
    public static IReadOnlyList<string> Load(IEnumerable<string> paths, string defaultNamespace, InMemoryCluster cluster)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(cluster);
        var problems = new List<string>();
        foreach (var file in ExpandFiles(paths, problems))
        {
            IReadOnlyList<JsonNode> documents;
            try
            {
                using var reader = new StreamReader(file);
                documents = YamlReader.ReadDocuments(reader);
            }
            catch (Exception e) when (e is YamlException or IOException or UnauthorizedAccessException)
            {
                problems.Add($"{file}: {e.Message}");
                continue;
            }

            for (var i = 0; i < documents.Count; i++)
            {
                foreach (var item in Items(documents[i]))
                {
                    var problem = Add(item, defaultNamespace, cluster);
                    if (problem is not null)
                    {
                        problems.Add($"{file} (document {i + 1}): {problem}");
                    }
                }
            }
        }

        return problems;
    }

    /// <summary>Reads one object into <paramref name="cluster"/>; returns a problem, or null when it was read or skipped.</summary>
    public static string? Add(JsonNode document, string defaultNamespace, InMemoryCluster cluster)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(cluster);
        if (document is not JsonObject obj)
        {
            return "a manifest must be a mapping with apiVersion and kind.";
        }

        var apiVersion = (obj["apiVersion"] as JsonValue)?.ToString();
        var kind = (obj["kind"] as JsonValue)?.ToString();
        try
        {
            IKubernetesObject<V1ObjectMeta>? read = (apiVersion, kind) switch
            {
                (DroverApi.ApiVersion, Agent.KubeKind) => obj.Deserialize(DroverJsonContext.Default.Agent),
                (DroverApi.ApiVersion, ModelProvider.KubeKind) => obj.Deserialize(DroverJsonContext.Default.ModelProvider),
                (DroverApi.ApiVersion, Schedule.KubeKind) => obj.Deserialize(DroverJsonContext.Default.Schedule),
                ("v1", V1Secret.KubeKind) => obj.Deserialize(ChildJsonContext.Default.V1Secret),
                ("v1", V1ConfigMap.KubeKind) => obj.Deserialize(ChildJsonContext.Default.V1ConfigMap),
                ("v1", V1Service.KubeKind) => obj.Deserialize(ChildJsonContext.Default.V1Service),
                ("v1", V1Namespace.KubeKind) => obj.Deserialize(ChildJsonContext.Default.V1Namespace),
                _ => null,
            };
            if (read is null)
            {
                return null;
            }

            if (string.IsNullOrEmpty(read.Metadata?.Name))
            {
                return $"{kind} has no metadata.name.";
            }

            if (read is not V1Namespace && string.IsNullOrEmpty(read.Metadata.NamespaceProperty))
            {
                read.Metadata.NamespaceProperty = defaultNamespace;
            }

            cluster.Add(read);
            return null;
        }
        catch (JsonException e)
        {
            return $"{kind} \"{(obj["metadata"]?["name"] as JsonValue)?.ToString()}\" cannot be read: {e.Message}";
        }
    }

    // kubectl accepts `kind: List` documents (what `kubectl get -o yaml` prints); their items are manifests too.
    private static IEnumerable<JsonNode> Items(JsonNode document) =>
        document is JsonObject { } obj && (obj["kind"] as JsonValue)?.ToString() == "List" && obj["items"] is JsonArray items
            ? items.OfType<JsonNode>()
            : [document];

    private static IEnumerable<string> ExpandFiles(IEnumerable<string> paths, List<string> problems)
    {
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                var files = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                    .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase)
                        || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)
                        || f.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal);
                foreach (var file in files)
                {
                    yield return file;
                }
            }
            else if (File.Exists(path))
            {
                yield return path;
            }
            else
            {
                problems.Add($"{path}: no such file or directory.");
            }
        }
    }
}
