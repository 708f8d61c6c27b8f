using Drover.Operator.Agents;
using Drover.Operator.Tests.TestSupport;
using k8s.Models;

namespace Drover.Operator.Tests.Agents;

/// <summary>Why an agent's pods do not start, read from the pods and put into the agent's Ready condition.</summary>
public sealed class AgentPodsTests
{
    private static V1Pod Pod(string name, string? reason, string? message = null, string agent = "a", string component = "agent", bool deleting = false) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = "team-a",
            DeletionTimestamp = deleting ? DateTime.UtcNow : null,
            Labels = new Dictionary<string, string>
            {
                ["app.kubernetes.io/name"] = agent,
                ["app.kubernetes.io/instance"] = agent,
                ["app.kubernetes.io/component"] = component,
                ["app.kubernetes.io/managed-by"] = "drover",
            },
        },
        Status = new V1PodStatus
        {
            ContainerStatuses =
            [
                new V1ContainerStatus
                {
                    Name = "agent",
                    State = reason is null
                        ? new V1ContainerState { Running = new V1ContainerStateRunning() }
                        : new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = reason, Message = message } },
                },
            ],
        },
    };

    private static V1Deployment Unready() => new()
    {
        Metadata = new V1ObjectMeta { Name = "a", Generation = 1 },
        Status = new V1DeploymentStatus { Replicas = 1, UpdatedReplicas = 1, ReadyReplicas = 0, ObservedGeneration = 1 },
    };

    private static AgentPlan Plan() =>
        Manifests.Plan(Manifests.Cluster(Manifests.OpenAiProvider, Manifests.Agent("a")), "team-a", "a");

    [Theory]
    [InlineData("ImagePullBackOff", "Back-off pulling image \"ghcr.io/x/agent:2\"")]
    [InlineData("ErrImagePull", "rpc error: code = NotFound")]
    [InlineData("CreateContainerConfigError", "container has runAsNonRoot and image will run as root")]
    [InlineData("CrashLoopBackOff", "back-off 10s restarting failed container=agent")]
    public void A_container_waiting_for_a_person_is_the_reason_of_Ready_with_the_kubelets_words(string reason, string message)
    {
        var problem = AgentPods.Problem([Pod("a-1-x", null), Pod("a-1-y", reason, message)]);

        var ready = AgentStatusCalculator.Readiness(Plan(), Unready(), problem);

        Assert.False(ready.IsTrue);
        Assert.Equal(reason, ready.Reason);
        Assert.Contains("Pod a-1-y: container agent is waiting with " + reason + ": " + message, ready.Message);
    }

    [Fact]
    public void Starting_containers_and_pods_being_deleted_are_no_problem()
    {
        Assert.Null(AgentPods.Problem([Pod("a-1-x", "ContainerCreating"), Pod("a-1-y", null), Pod("a-1-z", "ImagePullBackOff", deleting: true)]));
    }

    [Fact]
    public void An_agent_whose_processes_are_all_ready_stays_Available_whatever_a_surplus_pod_says()
    {
        var ready = new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "a", Generation = 1 },
            Status = new V1DeploymentStatus { Replicas = 1, UpdatedReplicas = 1, ReadyReplicas = 1, ObservedGeneration = 1 },
        };

        var condition = AgentStatusCalculator.Readiness(Plan(), ready, AgentPods.Problem([Pod("a-1-y", "CrashLoopBackOff")]));

        Assert.True(condition.IsTrue);
        Assert.Equal(AgentReasons.Available, condition.Reason);
    }

    [Fact]
    public void A_pod_maps_to_its_agent_by_label_and_Schedule_runs_and_other_pods_map_to_none()
    {
        Assert.Equal(new ControllerRuntime.Client.ObjectKey("team-a", "a"), AgentPods.AgentOf(Pod("a-1-x", null)));
        Assert.Null(AgentPods.AgentOf(Pod("nightly-1-x", null, component: "schedule")));
        Assert.Null(AgentPods.AgentOf(new V1Pod { Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "team-a" } }));
    }

    [Fact]
    public void Only_a_wait_that_needs_a_person_starting_changing_or_ending_is_news_to_the_agent()
    {
        Assert.True(AgentPods.WaitingChanged(Pod("p", "ErrImagePull"), Pod("p", "ImagePullBackOff")));
        Assert.True(AgentPods.WaitingChanged(Pod("p", "ContainerCreating"), Pod("p", "CrashLoopBackOff")));
        Assert.True(AgentPods.WaitingChanged(Pod("p", "CrashLoopBackOff"), Pod("p", null)));

        // A pod starting as usual wakes nobody: the Deployment's status says when it is available.
        Assert.False(AgentPods.WaitingChanged(Pod("p", "ContainerCreating"), Pod("p", null)));
        Assert.False(AgentPods.WaitingChanged(Pod("p", null), Pod("p", null)));
    }

    [Fact]
    public void The_pods_cache_holds_only_pods_waiting_for_a_person_and_not_being_deleted()
    {
        Assert.True(AgentPods.NeedsAttention(Pod("p", "ImagePullBackOff")));
        Assert.True(AgentPods.NeedsAttention(Pod("p", "CrashLoopBackOff")));
        Assert.False(AgentPods.NeedsAttention(Pod("p", "ContainerCreating")));
        Assert.False(AgentPods.NeedsAttention(Pod("p", null)));
        Assert.False(AgentPods.NeedsAttention(Pod("p", "ImagePullBackOff", deleting: true)));
    }
}
