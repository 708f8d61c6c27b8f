using System.Text.Json.Nodes;
using Drover.ControllerRuntime.Apply;
using Drover.ControllerRuntime.Controllers;
using Drover.Operator.Agents;
using Drover.Operator.Children;
using Drover.Operator.Tests.TestSupport;
using k8s;
using k8s.Models;

namespace Drover.Operator.Tests.Reconcilers;

/// <summary>
/// Each reconciler, table-driven: given what the caches hold, one reconcile sends exactly these writes and decides this
/// status. The stories in Drover.Scenarios show the same on a running cluster; these pin down each decision.
/// </summary>
public sealed class ReconcilerTests
{
    private const string Provider = """
        apiVersion: v1
        kind: Secret
        metadata: {name: openai-key, labels: {drover.dev/provider-credentials: "true"}}
        stringData: {api-key: sk-test-1}
        ---
        apiVersion: drover.dev/v1alpha1
        kind: ModelProvider
        metadata: {name: openai}
        spec:
          type: OpenAI
          apiKey: {secretKeyRef: {name: openai-key, key: api-key}}
          defaultModel: gpt-4o-mini
        """;

    private const string Agent = """
        apiVersion: drover.dev/v1alpha1
        kind: Agent
        metadata: {name: a}
        spec:
          image: ghcr.io/example/agent:1
          runOnce: {command: [agent, -m, "$(DROVER_PROMPT)"]}
          model: {providerRef: {name: openai}}
        """;

    private const string Schedule = """
        apiVersion: drover.dev/v1alpha1
        kind: Schedule
        metadata: {name: s}
        spec: {agentRef: {name: a}, schedule: "0 7 * * *", prompt: Summarise the night.}
        """;

    private const string AgentWithFallback = """
        apiVersion: drover.dev/v1alpha1
        kind: Agent
        metadata: {name: a}
        spec:
          image: ghcr.io/example/agent:1
          model:
            providerRef: {name: openai}
            fallbacks: [{providerRef: {name: anthropic, namespace: models}, name: claude-3-5-haiku-latest}]
        """;

    private static string Fallback(string allowed) => $$"""
        apiVersion: v1
        kind: Secret
        metadata:
          name: anthropic-key
          namespace: models
          labels: {drover.dev/provider-credentials: "true"}
        stringData: {api-key: sk-ant-1}
        ---
        apiVersion: drover.dev/v1alpha1
        kind: ModelProvider
        metadata:
          name: anthropic
          namespace: models
          generation: {{(allowed == "All" ? 1 : 2)}}
        spec:
          type: Anthropic
          apiKey:
            secretKeyRef: {name: anthropic-key, key: api-key}
          allowedNamespaces:
            from: {{allowed}}
        """;

    /// <summary>One row: what the caches hold, what one reconcile must send, and the condition it must decide.</summary>
    private sealed record Case(
        string Kind,
        string Name,
        Action<ReconcilerWorld> Given,
        string[] Writes,
        (string Type, string Status, string Reason) Condition,
        ReconcileOutcome Outcome = ReconcileOutcome.Done,
        int MaxConcurrentRollouts = 10);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["a new agent gets its children, the Deployment last, and reports the rollout"] = new(
            "Agent", "a",
            w => w.Given(Provider, Agent),
            ["apply ServiceAccount a", "apply Secret a-config", "apply NetworkPolicy a", "apply Deployment a", "status Agent a"],
            ("Ready", "False", AgentReasons.Progressing)),

        ["an agent whose children are as desired writes only its status"] = new(
            "Agent", "a",
            w => GivenConverged(w.Given(Provider, Agent)),
            ["status Agent a"],
            ("Ready", "True", AgentReasons.Available)),

        ["an agent whose provider is missing creates nothing and warns"] = new(
            "Agent", "a",
            w => w.Given(Agent),
            ["status Agent a", "event Warning ProviderNotFound Agent a"],
            ("Ready", "False", AgentReasons.ProviderNotFound)),

        ["an agent without a port loses the Service it had"] = new(
            "Agent", "a",
            w => GivenConverged(w.Given(Provider, Agent)).Given(OwnedChild("Service", "a")),
            ["delete Service a", "status Agent a"],
            ("Ready", "True", AgentReasons.Available)),

        ["an agent whose provider stopped allowing its namespace loses the Secret with the key"] = new(
            "Agent", "a",
            w => w.Given(Provider.Replace("{name: openai}", "{name: openai, namespace: models}").Replace("{name: openai-key}", "{name: openai-key, namespace: models}"))
                .Given(Agent.Replace("{providerRef: {name: openai}}", "{providerRef: {name: openai, namespace: models}}"))
                .Given(OwnedChild("Secret", "a-config")),
            ["delete Secret a-config", "status Agent a", "event Warning ProviderNotAllowed Agent a"],
            ("Ready", "False", AgentReasons.ProviderNotAllowed)),

        ["a new configuration waits for a rollout slot while others roll, and keeps the running pods' Secret"] = new(
            "Agent", "a",
            w =>
            {
                GivenConverged(w.Given(Provider, Agent));
                w.Given(Provider.Replace("sk-test-1", "sk-test-2"));
                w.Pacer.TryStart(new("team-a", "other"), "hash-of-other", TimeSpan.FromMinutes(10));
            },
            ["status Agent a"],
            ("Ready", "True", "RolloutPending"),
            ReconcileOutcome.RequeueAfter,
            MaxConcurrentRollouts: 1),

        ["an agent named like a NetworkPolicy it does not own leaves it untouched and reports the conflict"] = new(
            "Agent", "a",
            w => w.Given(Provider, Agent).OnServerOnly("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: a}
                spec: {podSelector: {}, policyTypes: [Ingress]}
                """),
            ["apply ServiceAccount a", "apply Secret a-config", "status Agent a", "event Warning NameConflict Agent a"],
            ("Ready", "False", "NameConflict"),
            ReconcileOutcome.RequeueAfter),

        ["an agent whose Secret name is another agent's leaves it untouched and starts no pod"] = new(
            "Agent", "a",
            w => w.Given(Provider, Agent).Given("""
                apiVersion: v1
                kind: Secret
                metadata:
                  name: a-config
                  labels: {app.kubernetes.io/managed-by: drover}
                  ownerReferences: [{apiVersion: drover.dev/v1alpha1, kind: Agent, name: other, uid: uid-other, controller: true}]
                """),
            // What a pod needs is applied at once, so the ServiceAccount and NetworkPolicy are written; the Secret and
            // the Deployment (no pod starts on a Secret that is someone else's) are not.
            ["apply ServiceAccount a", "apply NetworkPolicy a", "status Agent a", "event Warning NameConflict Agent a"],
            ("Ready", "False", "NameConflict"),
            ReconcileOutcome.RequeueAfter),

        ["a provider naming a Secret that is not labelled as credentials never reads it and says how to label it"] = new(
            "ModelProvider", "openai",
            w => w.Given(Provider.Split("---")[1]).OnServerOnly("""
                apiVersion: v1
                kind: Secret
                metadata: {name: openai-key}
                stringData: {api-key: db-password}
                """),
            ["status ModelProvider openai", "event Warning SecretNotLabelled ModelProvider openai"],
            ("CredentialsResolved", "False", "SecretNotLabelled")),

        ["a running agent whose only provider is deleted loses its keys and scales to zero"] = new(
            "Agent", "a",
            w => GivenConverged(w.Given(Provider, Agent)).Deleted("openai"),
            ["delete Secret a-config", "patch Deployment a", "status Agent a", "event Warning ProviderNotFound Agent a"],
            ("Ready", "False", AgentReasons.ProviderNotFound)),

        ["a running agent whose fallback stopped allowing its namespace keeps only the primary, at once"] = new(
            "Agent", "a",
            w =>
            {
                GivenConverged(w.Given(Provider, Fallback("All"), AgentWithFallback));
                w.Pacer.TryStart(new("team-a", "other"), "hash-of-other", TimeSpan.FromMinutes(10));
                w.Given(Fallback("Same"));
            },
            // Both providers are public on 443, so the NetworkPolicy stays as it is.
            ["apply Secret a-config", "apply Deployment a", "status Agent a", "event Warning ProviderNotAllowed Agent a"],
            ("Ready", "False", AgentReasons.ProviderNotAllowed),
            MaxConcurrentRollouts: 1),

        ["a new agent whose provider does not exist gets nothing, not even a Secret"] = new(
            "Agent", "a",
            w => w.Given(Agent),
            ["status Agent a", "event Warning ProviderNotFound Agent a"],
            ("Ready", "False", AgentReasons.ProviderNotFound)),

        ["a provider whose Secret is missing says which and warns"] = new(
            "ModelProvider", "openai",
            w => w.Given(Provider.Split("---")[1]),
            ["status ModelProvider openai", "event Warning SecretNotFound ModelProvider openai"],
            ("CredentialsResolved", "False", "SecretNotFound")),

        ["a resolvable provider publishes its status and nothing else"] = new(
            "ModelProvider", "openai",
            w => w.Given(Provider),
            ["status ModelProvider openai"],
            ("Ready", "True", "Resolved")),

        ["a schedule of a runnable agent gets its CronJob and looks again at the next run"] = new(
            "Schedule", "s",
            w => w.Given(Provider, Agent, Schedule),
            ["apply CronJob s", "status Schedule s"],
            ("Ready", "True", "Scheduled"),
            ReconcileOutcome.RequeueAfter),

        ["a schedule whose agent is gone suspends its CronJob and warns"] = new(
            "Schedule", "s",
            w => w.Given(Schedule).Given("""
                apiVersion: batch/v1
                kind: CronJob
                metadata:
                  name: s
                  labels: {app.kubernetes.io/managed-by: drover}
                  ownerReferences: [{apiVersion: drover.dev/v1alpha1, kind: Schedule, name: s, uid: uid-s, controller: true}]
                spec: {schedule: "0 7 * * *", suspend: false, jobTemplate: {spec: {template: {spec: {containers: []}}}}}
                """),
            ["status Schedule s", "patch CronJob s", "event Warning AgentNotFound Schedule s"],
            ("Ready", "False", "AgentNotFound")),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task One_reconcile_sends_exactly_these_writes(string name)
    {
        var c = Cases[name];
        using var world = new ReconcilerWorld(c.MaxConcurrentRollouts);
        c.Given(world);

        var result = c.Kind switch
        {
            "Agent" => await world.ReconcileAgentAsync(c.Name),
            "ModelProvider" => await world.ReconcileProviderAsync(c.Name),
            _ => await world.ReconcileScheduleAsync(c.Name),
        };

        Assert.Equal(c.Writes, world.WriteLines());
        var condition = world.Condition(c.Kind, c.Name, c.Condition.Type);
        Assert.Equal((c.Condition.Status, c.Condition.Reason), (condition.Status, condition.Reason));
        Assert.Equal(c.Outcome, result.Outcome);
    }

    [Fact]
    public async Task A_deferred_rollout_says_which_configuration_runs_and_which_waits()
    {
        using var world = new ReconcilerWorld(maxConcurrentRollouts: 1);
        GivenConverged(world.Given(Provider, Agent));
        var running = world.Informers.Deployments.Cache.Get("team-a", "a")!.Spec.Template.Metadata.Annotations["drover.dev/config-hash"];
        world.Given(Provider.Replace("sk-test-1", "sk-test-2"));
        world.Pacer.TryStart(new("team-a", "other"), "hash-of-other", TimeSpan.FromMinutes(10));

        await world.ReconcileAgentAsync("a");

        var (_, _, message) = world.Condition("Agent", "a", "Ready");
        Assert.Contains($"keep configuration {running}", message, StringComparison.Ordinal);
        Assert.Equal(running, (string?)world.Status("Agent", "a")["configHash"]);
    }

    [Fact]
    public async Task A_paced_rollout_whose_Deployment_apply_is_refused_gives_back_its_slot()
    {
        using var world = new ReconcilerWorld(maxConcurrentRollouts: 1);
        GivenConverged(world.Given(Provider, Agent));
        world.Given(Provider.Replace("sk-test-1", "sk-test-2")).RefusesApply("Deployment", "a");

        var result = await world.ReconcileAgentAsync("a");

        Assert.Equal(ReconcileOutcome.Error, result.Outcome);
        var (status, reason, _) = world.Condition("Agent", "a", "Ready");
        Assert.Equal(("False", "ApplyFailed"), (status, reason));
        Assert.Equal(0, world.Pacer.Rolling);
        Assert.True(world.Pacer.TryStart(new("team-a", "other"), "hash-of-other", TimeSpan.FromMinutes(10)).Allowed);
    }

    [Fact]
    public async Task A_revoked_provider_leaves_no_trace_in_the_applied_Secret_or_pod_template()
    {
        using var world = new ReconcilerWorld();
        GivenConverged(world.Given(Provider, Fallback("All"), AgentWithFallback));
        world.Given(Fallback("Same"));

        await world.ReconcileAgentAsync("a");

        var secret = world.Writes.Single(w => w.Verb == "apply" && w.Kind == "Secret").Body!.ToJsonString();
        var deployment = world.Writes.Single(w => w.Verb == "apply" && w.Kind == "Deployment").Body!.ToJsonString();
        Assert.DoesNotContain(Convert.ToBase64String("sk-ant-1"u8.ToArray()), secret, StringComparison.Ordinal);
        Assert.DoesNotContain("anthropic", secret, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("ANTHROPIC_API_KEY", deployment, StringComparison.Ordinal);
        Assert.Contains("OPENAI_API_KEY", deployment, StringComparison.Ordinal);
        Assert.Contains("runs with only what it may use: gpt-4o-mini via team-a/openai", world.Condition("Agent", "a", "Ready").Message, StringComparison.Ordinal);
    }

    /// <summary>Caches every child the agent wants, as the API server holds them after the apply, with a Deployment whose rollout finished.</summary>
    private static ReconcilerWorld GivenConverged(ReconcilerWorld world)
    {
        var agent = world.Informers.Agents.Cache.Get("team-a", "a")!;
        var plan = AgentResolver.Resolve(agent, world.Informers, OperatorOptions.Default).Plan!;
        var children = AgentChildren.Build(plan, OperatorOptions.Default);
        foreach (var child in children.All)
        {
            var kind = ChildKinds.Of(child);
            var applied = kind.ToJson(child);
            applied["metadata"]!["uid"] = "uid-" + child.Metadata.Name + "-" + child.Kind;
            applied["metadata"]!["resourceVersion"] = "1";
            applied["metadata"]!["annotations"] = new JsonObject
            {
                [ResourceApplier.AppliedHashAnnotation] = (string)AppliedBody(kind, child)["metadata"]!["annotations"]![ResourceApplier.AppliedHashAnnotation]!,
            };
            world.Given(applied.ToJsonString());
        }

        var deployment = world.Informers.Deployments.Cache.Get("team-a", "a")!;
        deployment.Metadata.Generation = 1;
        deployment.Status = new V1DeploymentStatus { ObservedGeneration = 1, Replicas = 1, UpdatedReplicas = 1, ReadyReplicas = 1, AvailableReplicas = 1 };
        return world.Given(deployment);
    }

    private static JsonObject AppliedBody(IChildKind kind, IKubernetesObject<V1ObjectMeta> child) => kind switch
    {
        ChildKind<V1ServiceAccount> k => ResourceApplier.Desired(k.Resource, (V1ServiceAccount)child),
        ChildKind<V1Secret> k => ResourceApplier.Desired(k.Resource, (V1Secret)child),
        ChildKind<V1NetworkPolicy> k => ResourceApplier.Desired(k.Resource, (V1NetworkPolicy)child),
        ChildKind<V1Service> k => ResourceApplier.Desired(k.Resource, (V1Service)child),
        ChildKind<V1PersistentVolumeClaim> k => ResourceApplier.Desired(k.Resource, (V1PersistentVolumeClaim)child),
        ChildKind<V1Deployment> k => ResourceApplier.Desired(k.Resource, (V1Deployment)child),
        _ => throw new ArgumentException(kind.Kind),
    };

    /// <summary>A child of agent a of <paramref name="kind"/>, labelled and owned as the operator makes them.</summary>
    private static string OwnedChild(string kind, string name) => $$"""
        apiVersion: {{(kind == "Service" || kind == "Secret" ? "v1" : "apps/v1")}}
        kind: {{kind}}
        metadata:
          name: {{name}}
          labels: {app.kubernetes.io/managed-by: drover}
          ownerReferences: [{apiVersion: drover.dev/v1alpha1, kind: Agent, name: a, uid: uid-a, controller: true}]
        """;
}
