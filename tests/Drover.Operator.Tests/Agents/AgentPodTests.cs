using Drover.Operator.Agents;
using Drover.Operator.Schedules;
using Drover.Operator.Tests.TestSupport;
using k8s.Models;

namespace Drover.Operator.Tests.Agents;

/// <summary>The identity an agent's pods run as: the same for the always-on process and for its Schedule runs.</summary>
public sealed class AgentPodTests
{
    private const string Schedule = """
        apiVersion: drover.dev/v1alpha1
        kind: Schedule
        metadata: {name: nightly, namespace: team-a, uid: 5c1d0000-2222-4c3c-9d7e-000000000002}
        spec:
          agentRef: {name: a}
          schedule: "@daily"
          prompt: summarise
        """;

    private static (V1PodSpec Agent, V1PodSpec Run) Pods(string specExtra)
    {
        var cluster = Manifests.Cluster(Manifests.OpenAiProvider, Manifests.Agent("a", "runOnce: {command: [agent, --once]}\n" + specExtra), Schedule);
        var deployment = AgentChildren.Build(Manifests.Plan(cluster, "team-a", "a"), OperatorOptions.Default).Deployment;
        Assert.Null(ScheduleResolver.TryResolve(cluster.Schedules.Single(), cluster, OperatorOptions.Default, out var plan));
        var cronJob = CronJobBuilder.Build(plan!, OperatorOptions.Default);
        return (deployment.Spec.Template.Spec, cronJob.Spec.JobTemplate.Spec.Template.Spec);
    }

    [Fact]
    public void Every_pod_runs_as_user_and_groups_65532_so_images_whose_user_is_root_or_a_name_start()
    {
        var (agent, run) = Pods("");

        foreach (var pod in new[] { agent, run })
        {
            Assert.True(pod.SecurityContext.RunAsNonRoot);
            Assert.Equal(65532, pod.SecurityContext.RunAsUser);
            Assert.Equal(65532, pod.SecurityContext.RunAsGroup);
            Assert.Equal(65532, pod.SecurityContext.FsGroup);
        }
    }

    [Fact]
    public void Spec_securityContext_sets_the_ids_of_the_agent_and_of_its_Schedule_runs_alike()
    {
        var (agent, run) = Pods("securityContext: {runAsUser: 1000, runAsGroup: 0, fsGroup: 2000}");

        foreach (var pod in new[] { agent, run })
        {
            Assert.True(pod.SecurityContext.RunAsNonRoot);
            Assert.Equal(1000, pod.SecurityContext.RunAsUser);
            Assert.Equal(0, pod.SecurityContext.RunAsGroup);
            Assert.Equal(2000, pod.SecurityContext.FsGroup);
        }
    }

    [Fact]
    public void An_id_left_out_of_spec_securityContext_keeps_its_default()
    {
        var (agent, _) = Pods("securityContext: {runAsUser: 1000}");

        Assert.Equal(1000, agent.SecurityContext.RunAsUser);
        Assert.Equal(65532, agent.SecurityContext.RunAsGroup);
        Assert.Equal(65532, agent.SecurityContext.FsGroup);
    }

    [Fact]
    public void Only_a_pod_that_mounts_the_workspace_hands_its_files_to_fsGroup()
    {
        var (agent, run) = Pods("storage: {size: 1Gi}");

        Assert.Equal("OnRootMismatch", agent.SecurityContext.FsGroupChangePolicy);
        Assert.Null(run.SecurityContext.FsGroupChangePolicy);
        Assert.Null(Pods("").Agent.SecurityContext.FsGroupChangePolicy);
    }

    [Fact]
    public void Home_is_the_writable_tmp_volume_unless_the_user_sets_it()
    {
        var (agent, run) = Pods("");
        foreach (var pod in new[] { agent, run })
        {
            var container = pod.Containers.Single();
            Assert.Equal("/tmp", container.Env.Single(e => e.Name == "HOME").Value);
            Assert.True(container.SecurityContext.ReadOnlyRootFilesystem);
            var tmp = container.VolumeMounts.Single(m => m.MountPath == "/tmp");
            Assert.NotNull(pod.Volumes.Single(v => v.Name == tmp.Name).EmptyDir);
        }

        var (own, _) = Pods("env: [{name: HOME, value: /workspace}]");
        Assert.Equal("/workspace", own.Containers.Single().Env.Single(e => e.Name == "HOME").Value);
    }
}
