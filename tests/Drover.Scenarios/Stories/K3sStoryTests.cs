using System.Text.Json.Nodes;
using Drover.Operator.Cluster;
using Drover.Operator.Hosting;
using Drover.Scenarios.Support;
using Testcontainers.K3s;
using Xunit.Abstractions;

namespace Drover.Scenarios.Stories;

/// <summary>
/// The same stories on a real Kubernetes (k3s in a container): real API server semantics, real Deployment
/// controller and kubelet. The agent image is the pause image, which exists, runs as a non-root user and needs no
/// writable root, so the hardened pods really start. Skipped, saying why, where Docker is absent.
/// </summary>
public sealed class K3sStoryTests(ITestOutputHelper output)
{
    private const string K3sImage = "rancher/k3s:v1.31.5-k3s1";
    private const string AgentImage = "registry.k8s.io/pause:3.10";
    private static readonly TimeSpan RealClusterTimeout = TimeSpan.FromMinutes(3);

    private async Task<OperatorScenario> StartAsync()
    {
        var k3s = new K3sBuilder(K3sImage).Build();
        await k3s.StartAsync();
        return await OperatorScenario.OnClusterAsync(output, await k3s.GetKubeconfigAsync(), k3s);
    }

    private static string World(string key) => string.Join("\n---\n",
        Manifests.Secret("openai-key", "api-key", key),
        Manifests.OpenAIProvider("openai", "openai-key"),
        Manifests.Agent("a", "openai").Replace("ghcr.io/drover-dev/echo-agent:0.1.0", AgentImage, StringComparison.Ordinal),
        Manifests.Agent("b", "openai").Replace("ghcr.io/drover-dev/echo-agent:0.1.0", AgentImage, StringComparison.Ordinal),
        Manifests.Schedule("nightly", "a", "0 3 * * *"));

    [DockerFact]
    public async Task On_k3s_agents_and_schedules_become_ready_and_a_key_rotation_rolls_each_agent_once()
    {
        await using var scenario = await StartAsync();
        await scenario.ApplyYamlAsync(World("sk-old"));
        await scenario.StartOperatorAsync();
        var a = await scenario.WaitForAsync(OperatorKinds.Agents, "a", Ready("Available"), "Ready", timeout: RealClusterTimeout);
        await scenario.WaitForAsync(OperatorKinds.Agents, "b", Ready("Available"), "Ready", timeout: RealClusterTimeout);
        await scenario.WaitForAsync(OperatorKinds.Schedules, "nightly", s => OperatorScenario.HasCondition(s.Status?.Conditions, s.Metadata.Generation, s.Status?.ObservedGeneration, "True", "Scheduled") && s.Status!.NextScheduleTime is not null, "Ready with a next run", timeout: RealClusterTimeout);
        Assert.NotNull(await scenario.GetAsync(OperatorKinds.CronJobs, "nightly"));
        Assert.NotNull(await scenario.GetAsync(OperatorKinds.NetworkPolicies, "a"));
        var generation = (await scenario.GetAsync(OperatorKinds.Deployments, "a"))!.Metadata.Generation;

        await scenario.ApplyYamlAsync(Manifests.Secret("openai-key", "api-key", "sk-new"));
        await scenario.WaitForAsync(
            OperatorKinds.Agents,
            "a",
            x => x.Status?.ConfigHash != a.Status!.ConfigHash && Ready("Available")(x),
            "rolled to the new key",
            timeout: RealClusterTimeout);
        Assert.Equal(generation + 1, (await scenario.GetAsync(OperatorKinds.Deployments, "a"))!.Metadata.Generation);
    }

    [DockerFact]
    public async Task On_k3s_a_missing_Secret_is_reported_and_recovers_and_a_deleted_Deployment_comes_back()
    {
        await using var scenario = await StartAsync();
        await scenario.ApplyYamlAsync(string.Join("\n---\n", World("sk-1").Split("\n---\n").Skip(1)));
        await scenario.StartOperatorAsync();
        await scenario.WaitForAsync(OperatorKinds.ModelProviders, "openai", p => OperatorScenario.HasCondition(p.Status?.Conditions, p.Metadata.Generation, p.Status?.ObservedGeneration, "False", "SecretNotFound"), "SecretNotFound", timeout: RealClusterTimeout);
        await Eventually.TrueAsync(async () => (await scenario.WarningsAsync("openai", "SecretNotFound")).Count > 0, "a Warning Event", RealClusterTimeout);

        await scenario.ApplyYamlAsync(Manifests.Secret("openai-key", "api-key", "sk-1"));
        await scenario.WaitForAsync(OperatorKinds.Agents, "a", Ready("Available"), "Ready", timeout: RealClusterTimeout);

        var before = await scenario.GetAsync(OperatorKinds.Deployments, "a");
        await scenario.DeleteAsync(OperatorKinds.Deployments, "a");
        await scenario.WaitForAsync(OperatorKinds.Deployments, "a", d => d.Metadata.Uid != before!.Metadata.Uid, "recreated", timeout: RealClusterTimeout);
        await scenario.Client.SendJsonAsync(
            HttpMethod.Patch,
            OperatorKinds.Deployments.ObjectPath("default", "a"),
            JsonNode.Parse("""{"spec":{"replicas":3}}"""),
            "application/merge-patch+json",
            CancellationToken.None);
        await scenario.WaitForAsync(OperatorKinds.Deployments, "a", d => d.Spec.Replicas == 1, "replicas restored", timeout: RealClusterTimeout);
    }

    private static Func<Api.V1Alpha1.Agent, bool> Ready(string reason) =>
        a => OperatorScenario.HasCondition(a.Status?.Conditions, a.Metadata.Generation, a.Status?.ObservedGeneration, "True", reason);
}
