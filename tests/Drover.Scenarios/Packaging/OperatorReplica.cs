using System.Text.Json.Nodes;

namespace Drover.Scenarios.Packaging;

/// <summary>
/// What a kubelet would start for one pod of the operator Deployment: the manager container's arguments and
/// environment, with the downward API resolved for that pod. The image's entrypoint is the drover binary, so the
/// arguments are what follows it on the command line.
/// </summary>
internal sealed record OperatorReplica(
    string PodName,
    string Namespace,
    IReadOnlyList<string> Args,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyDictionary<string, int> ContainerPorts,
    string ReadinessPath,
    string ReadinessPort,
    int TerminationGracePeriodSeconds)
{
    /// <summary>
    /// Reads the Deployment (as rendered, or as read back from a cluster) for a pod named <paramref name="podName"/>.
    /// Numbers are read as long: a render's YAML integers are, and so is any JSON number that fits.
    /// </summary>
    public static OperatorReplica Of(JsonObject deployment, string podName)
    {
        var ns = (string?)deployment["metadata"]!["namespace"]
            ?? throw new Xunit.Sdk.XunitException("the Deployment names no namespace, so its pods' namespace is unknown");
        var pod = deployment["spec"]!["template"]!;
        var container = RenderedManifests.Manager(deployment);
        Assert.True(container["command"] is null, $"the manager container replaces the image's entrypoint with {container["command"]}");
        Assert.True(container["envFrom"] is null, "the manager container takes envFrom, which this reading does not resolve");

        var args = container["args"]?.AsArray().Select(a => (string)a!).ToList() ?? [];
        // $(VAR) in args is expanded by the kubelet; nothing in the chart uses it, so meeting it means this reading is out of date.
        Assert.DoesNotContain(args, a => a.Contains("$(", StringComparison.Ordinal));

        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var variable in container["env"]?.AsArray() ?? [])
        {
            var name = (string)variable!["name"]!;
            environment[name] = variable["valueFrom"] is { } from
                ? FromDownwardApi(from, name, podName, ns, pod)
                : (string?)variable["value"] ?? "";
        }

        var ports = (container["ports"]?.AsArray() ?? []).ToDictionary(p => (string)p!["name"]!, p => (int)(long)p!["containerPort"]!);
        var readiness = container["readinessProbe"]!["httpGet"]!;
        return new OperatorReplica(
            podName,
            ns,
            args,
            environment,
            ports,
            (string)readiness["path"]!,
            readiness["port"]!.ToString(),
            (int)((long?)pod["spec"]!["terminationGracePeriodSeconds"] ?? 30));
    }

    /// <summary>The options after the <c>run</c> subcommand.</summary>
    public IReadOnlyList<string> RunArgs
    {
        get
        {
            Assert.True(Args.Count > 0 && Args[0] == "run", $"the container does not start `drover run`: {string.Join(' ', Args)}");
            return [.. Args.Skip(1)];
        }
    }

    /// <summary>The container port the readiness probe targets (it may name a port or give a number).</summary>
    public int ReadinessContainerPort =>
        int.TryParse(ReadinessPort, out var number) ? number
        : ContainerPorts.TryGetValue(ReadinessPort, out var named) ? named
        : throw new Xunit.Sdk.XunitException($"the readiness probe targets port \"{ReadinessPort}\", which the container does not declare");

    private static string FromDownwardApi(JsonNode from, string name, string podName, string ns, JsonNode pod)
    {
        var path = (string?)from["fieldRef"]?["fieldPath"]
            ?? throw new Xunit.Sdk.XunitException($"{name} comes from {from.ToJsonString()}, which this reading does not resolve");
        return path switch
        {
            "metadata.name" => podName,
            "metadata.namespace" => ns,
            "spec.serviceAccountName" => (string?)pod["spec"]!["serviceAccountName"] ?? "default",
            _ => throw new Xunit.Sdk.XunitException($"{name} comes from the pod's {path}, which this reading does not resolve"),
        };
    }
}
