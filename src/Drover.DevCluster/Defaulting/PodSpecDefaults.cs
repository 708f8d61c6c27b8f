using System.Text.Json.Nodes;

namespace Drover.DevCluster.Defaulting;

/// <summary>
/// The defaults the API server gives every pod spec, in Pods and in the templates of Deployments, ReplicaSets,
/// Jobs and CronJobs: <c>SetDefaults_PodSpec</c>, <c>_Container</c>, <c>_Volume</c>, <c>_Probe</c> and the other
/// core/v1 defaulters the generated <c>SetObjectDefaults_*</c> functions call on a pod spec
/// (k8s.io/kubernetes pkg/apis/core/v1/defaults.go and zz_generated.defaults.go).
/// </summary>
internal static class PodSpecDefaults
{
    private const int DefaultFileMode = 420; // 0644

    public static void Apply(JsonObject? spec)
    {
        if (spec is null)
        {
            return;
        }

        DefaultValues.String(spec, "dnsPolicy", "ClusterFirst");
        DefaultValues.String(spec, "restartPolicy", "Always");
        DefaultValues.Pointer(spec, "securityContext", new JsonObject());
        DefaultValues.Pointer(spec, "terminationGracePeriodSeconds", 30);
        DefaultValues.String(spec, "schedulerName", "default-scheduler");
        foreach (var volume in DefaultValues.Objects(spec["volumes"]))
        {
            Volume(volume);
        }

        foreach (var container in DefaultValues.Objects(spec["initContainers"])
                     .Concat(DefaultValues.Objects(spec["containers"]))
                     .Concat(DefaultValues.Objects(spec["ephemeralContainers"])))
        {
            Container(container);
        }
    }

    /// <summary><c>SetDefaults_Pod</c>: what a Pod gets beyond its spec's defaults (templates do not).</summary>
    public static void ApplyToPod(JsonObject pod)
    {
        if (pod["spec"] is not JsonObject spec)
        {
            return;
        }

        foreach (var container in DefaultValues.Objects(spec["containers"]).Concat(DefaultValues.Objects(spec["initContainers"])))
        {
            // Limits without requests: the requests default to the limits.
            if (DefaultValues.Object(container, "resources", "limits") is { Count: > 0 } limits)
            {
                var requests = DefaultValues.Child(DefaultValues.Child(container, "resources"), "requests");
                foreach (var (resource, quantity) in limits)
                {
                    if (!requests.ContainsKey(resource))
                    {
                        requests[resource] = quantity?.DeepClone();
                    }
                }
            }
        }

        DefaultValues.Pointer(spec, "enableServiceLinks", true);
        if (spec["hostNetwork"] is JsonValue hostNetwork && hostNetwork.TryGetValue<bool>(out var onHost) && onHost)
        {
            foreach (var container in DefaultValues.Objects(spec["containers"]).Concat(DefaultValues.Objects(spec["initContainers"])))
            {
                foreach (var port in DefaultValues.Objects(container["ports"]))
                {
                    if (DefaultValues.IsZero(port["hostPort"]))
                    {
                        port["hostPort"] = port["containerPort"]?.DeepClone();
                    }
                }
            }
        }

        Apply(spec);
    }

    private static void Container(JsonObject container)
    {
        if (DefaultValues.IsUnset(container["imagePullPolicy"]))
        {
            container["imagePullPolicy"] = HasLatestTag(container["image"]?.ToString() ?? string.Empty) ? "Always" : "IfNotPresent";
        }

        DefaultValues.String(container, "terminationMessagePath", "/dev/termination-log");
        DefaultValues.String(container, "terminationMessagePolicy", "File");
        foreach (var port in DefaultValues.Objects(container["ports"]))
        {
            DefaultValues.String(port, "protocol", "TCP");
        }

        foreach (var env in DefaultValues.Objects(container["env"]))
        {
            FieldRef(DefaultValues.Object(env, "valueFrom", "fieldRef"));
        }

        foreach (var probe in (string[])["livenessProbe", "readinessProbe", "startupProbe"])
        {
            if (container[probe] is JsonObject p)
            {
                Probe(p);
            }
        }

        foreach (var hook in (string[])["postStart", "preStop"])
        {
            HttpGet(DefaultValues.Object(container, "lifecycle", hook, "httpGet"));
        }
    }

    private static void Probe(JsonObject probe)
    {
        DefaultValues.Number(probe, "timeoutSeconds", 1);
        DefaultValues.Number(probe, "periodSeconds", 10);
        DefaultValues.Number(probe, "successThreshold", 1);
        DefaultValues.Number(probe, "failureThreshold", 3);
        HttpGet(probe["httpGet"] as JsonObject);
        if (probe["grpc"] is JsonObject grpc)
        {
            DefaultValues.Pointer(grpc, "service", string.Empty);
        }
    }

    private static void HttpGet(JsonObject? action)
    {
        if (action is not null)
        {
            DefaultValues.String(action, "path", "/");
            DefaultValues.String(action, "scheme", "HTTP");
        }
    }

    private static void FieldRef(JsonObject? selector)
    {
        if (selector is not null)
        {
            DefaultValues.String(selector, "apiVersion", "v1");
        }
    }

    private static void Volume(JsonObject volume)
    {
        // A volume that names no source is an emptyDir.
        if (!volume.Any(p => p.Key != "name" && p.Value is not null))
        {
            volume["emptyDir"] = new JsonObject();
        }

        if (volume["hostPath"] is JsonObject hostPath)
        {
            DefaultValues.Pointer(hostPath, "type", string.Empty);
        }

        foreach (var source in (string[])["secret", "configMap", "downwardAPI", "projected"])
        {
            if (volume[source] is JsonObject withMode)
            {
                DefaultValues.Pointer(withMode, "defaultMode", DefaultFileMode);
            }
        }

        foreach (var item in DefaultValues.Objects(DefaultValues.Object(volume, "downwardAPI")?["items"]))
        {
            FieldRef(item["fieldRef"] as JsonObject);
        }

        foreach (var projection in DefaultValues.Objects(DefaultValues.Object(volume, "projected")?["sources"]))
        {
            foreach (var item in DefaultValues.Objects(DefaultValues.Object(projection, "downwardAPI")?["items"]))
            {
                FieldRef(item["fieldRef"] as JsonObject);
            }

            if (projection["serviceAccountToken"] is JsonObject token)
            {
                DefaultValues.Pointer(token, "expirationSeconds", 3600);
            }
        }

        if (DefaultValues.Object(volume, "ephemeral", "volumeClaimTemplate", "spec") is { } claim)
        {
            DefaultValues.Pointer(claim, "volumeMode", "Filesystem");
        }

        if (volume["image"] is JsonObject image && DefaultValues.IsUnset(image["pullPolicy"]))
        {
            image["pullPolicy"] = HasLatestTag(image["reference"]?.ToString() ?? string.Empty) ? "Always" : "IfNotPresent";
        }
    }

    /// <summary>
    /// Whether an image reference means the <c>latest</c> tag: written so, or with neither tag nor digest.
    /// A reference that does not parse has no tag, as upstream's parser then reports none.
    /// </summary>
    internal static bool HasLatestTag(string image)
    {
        if (image.Length == 0 || image.Any(char.IsWhiteSpace))
        {
            return false;
        }

        var at = image.IndexOf('@', StringComparison.Ordinal);
        var digested = at >= 0;
        var name = digested ? image[..at] : image;
        var slash = name.LastIndexOf('/');
        var colon = name.LastIndexOf(':');
        var tag = colon > slash ? name[(colon + 1)..] : string.Empty;
        var repository = colon > slash ? name[..colon] : name;

        // The first component names a registry when it looks like a host (a dot, a port, localhost or capitals);
        // the repository path after it must be lower case.
        var firstSlash = repository.IndexOf('/', StringComparison.Ordinal);
        var first = firstSlash < 0 ? string.Empty : repository[..firstSlash];
        var hasDomain = firstSlash >= 0 && (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost" || first.Any(char.IsUpper));
        var path = hasDomain ? repository[(firstSlash + 1)..] : repository;
        if (path.Length == 0 || path.Any(char.IsUpper))
        {
            return false;
        }

        return tag == "latest" || (tag.Length == 0 && !digested);
    }
}
