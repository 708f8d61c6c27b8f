using System.Globalization;
using System.Text.Json.Nodes;
using Drover.DevCluster.Tests.Server;
using k8s;
using k8s.Models;

namespace Drover.DevCluster.Tests.Clients;

/// <summary>
/// The operator records Warning events through events.k8s.io/v1; users read them with <c>kubectl get events</c> and
/// <c>kubectl describe</c>, which ask core/v1 (describe selects on involvedObject.name/namespace/kind/uid).
/// </summary>
public class KubectlEventsTests : ClusterTestBase
{
    [RealClientFact("kubectl")]
    public async Task A_warning_recorded_on_an_agent_shows_in_get_events_and_describe_agent()
    {
        Assert.True(File.Exists(Path.Combine(RealClient.RepositoryRoot!, "crds", "drover.dev_agents.yaml")), "the repository's CRDs are needed");
        using var kubectl = new RealClient("kubectl", Server);
        await kubectl.OkAsync("apply", "-f", "crds/");
        await kubectl.OkAsync("wait", "--for=condition=established", "crd/agents.drover.dev", "--timeout=20s");
        await kubectl.OkAsync("apply", "-f", "config/samples/agent.yaml", "-f", "config/samples/openai-provider.yaml");
        var agent = JsonNode.Parse(await kubectl.OkAsync("get", "agent", "echo", "-o", "json"))!;

        // What the operator's EventRecorder sends: a create, then a merge patch of the series on a repeat.
        using var client = Client();
        var now = DateTimeOffset.UtcNow;
        var name = $"echo.{now.UtcTicks.ToString("x", CultureInfo.InvariantCulture)}";
        await client.EventsV1.CreateNamespacedEventAsync(
            new Eventsv1Event
            {
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
                EventTime = now.UtcDateTime,
                Type = "Warning",
                Reason = "ModelNotServed",
                Action = "Reconcile",
                Note = "spec.model gpt-9 is not served by ModelProvider openai",
                ReportingController = "drover.dev/operator",
                ReportingInstance = "operator-0",
                Regarding = new V1ObjectReference
                {
                    ApiVersion = agent["apiVersion"]!.GetValue<string>(),
                    Kind = agent["kind"]!.GetValue<string>(),
                    Name = "echo",
                    NamespaceProperty = "default",
                    Uid = agent["metadata"]!["uid"]!.GetValue<string>(),
                    ResourceVersion = agent["metadata"]!["resourceVersion"]!.GetValue<string>(),
                },
            },
            "default");
        var series = new JsonObject { ["series"] = new JsonObject { ["count"] = 3, ["lastObservedTime"] = now.AddMinutes(1).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture) } };
        await client.EventsV1.PatchNamespacedEventAsync(new V1Patch(series.ToJsonString(), V1Patch.PatchType.MergePatch), name, "default");

        var events = await kubectl.OkAsync("get", "events");
        var row = events.Split('\n').Single(l => l.Contains("ModelNotServed", StringComparison.Ordinal));
        Assert.Contains("Warning", row);
        Assert.Contains("agent/echo", row);
        Assert.Contains("spec.model gpt-9 is not served by ModelProvider openai", row);

        var described = await kubectl.OkAsync("describe", "agent", "echo");
        var section = described[described.IndexOf("Events:", StringComparison.Ordinal)..];
        Assert.Matches(@"Warning\s+ModelNotServed\s+\S+ \(x3 over \S+\)\s+drover\.dev/operator\s+spec\.model gpt-9 is not served by ModelProvider openai", section);

        // The same object through the events.k8s.io API, field-selected on what it regards.
        var viewed = await kubectl.OkAsync("get", "events.v1.events.k8s.io", "--field-selector", "regarding.name=echo,regarding.kind=Agent", "-o", "jsonpath={.items[*].note}");
        Assert.Equal("spec.model gpt-9 is not served by ModelProvider openai", viewed);
    }

    private Kubernetes Client()
    {
        var path = Path.Combine(Path.GetTempPath(), $"drover-kc-{Guid.NewGuid():N}");
        try
        {
            Server.WriteKubeconfig(path);
            return new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(path));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
