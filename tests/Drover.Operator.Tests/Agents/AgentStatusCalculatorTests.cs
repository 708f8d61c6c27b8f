using Drover.Operator.Agents;
using Drover.Operator.Status;
using Drover.Operator.Tests.TestSupport;
using k8s.Models;

namespace Drover.Operator.Tests.Agents;

public sealed class AgentStatusCalculatorTests
{
    private static (Api.V1Alpha1.Agent Agent, AgentResolution Resolution) Resolve(string extra = "")
    {
        var cluster = Manifests.Cluster(Manifests.OpenAiProvider, Manifests.Agent("a", extra));
        var agent = cluster.Agents.Single();
        return (agent, AgentResolver.Resolve(agent, cluster, OperatorOptions.Default));
    }

    private static V1Deployment Deployment(int ready, int updated = 1, int replicas = 1, long generation = 1, long observed = 1, V1DeploymentCondition? condition = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = "a", Generation = generation },
        Status = new V1DeploymentStatus
        {
            ReadyReplicas = ready,
            UpdatedReplicas = updated,
            Replicas = replicas,
            ObservedGeneration = observed,
            Conditions = condition is null ? null : [condition],
        },
    };

    [Fact]
    public void All_processes_ready_is_Available_with_the_chain_hash_and_selector_in_status()
    {
        var (agent, resolution) = Resolve();

        var status = AgentStatusCalculator.Compute(agent, resolution, Deployment(ready: 1), rollout: null);

        var ready = status.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal((DesiredCondition.True, AgentReasons.Available), (ready.Status, ready.Reason));
        Assert.Equal(1, status.ReadyReplicas);
        Assert.Equal(resolution.Plan!.Configuration.Hash, status.ConfigHash);
        Assert.Equal("gpt-4o-mini", status.Model!.Primary!.Model);
        Assert.Equal("app.kubernetes.io/component=agent,app.kubernetes.io/instance=a,app.kubernetes.io/name=a", status.Selector);
        Assert.True(status.Conditions.Single(c => c.Type == "ModelResolved").IsTrue);
    }

    [Fact]
    public void A_missing_or_rolling_Deployment_is_Progressing()
    {
        var (agent, resolution) = Resolve();

        Assert.Equal(AgentReasons.Progressing, AgentStatusCalculator.Readiness(resolution.Plan!, null).Reason);
        Assert.Equal(AgentReasons.Progressing, AgentStatusCalculator.Readiness(resolution.Plan!, Deployment(ready: 1, generation: 2, observed: 1)).Reason);
        Assert.Equal(AgentReasons.Progressing, AgentStatusCalculator.Readiness(resolution.Plan!, Deployment(ready: 1, updated: 1, replicas: 2)).Reason);
        Assert.False(AgentStatusCalculator.Compute(agent, resolution, null, rollout: null).Conditions.Single(c => c.Type == "Ready").IsTrue);
    }

    [Fact]
    public void A_stalled_rollout_or_unready_pods_are_Unavailable()
    {
        var (_, resolution) = Resolve();
        var stalled = new V1DeploymentCondition { Type = "Progressing", Status = "False", Reason = "ProgressDeadlineExceeded", Message = "ReplicaSet \"a-1\" has timed out progressing." };

        var deadline = AgentStatusCalculator.Readiness(resolution.Plan!, Deployment(ready: 0, condition: stalled));
        var crashing = AgentStatusCalculator.Readiness(resolution.Plan!, Deployment(ready: 0));

        Assert.Equal(AgentReasons.Unavailable, deadline.Reason);
        Assert.Contains("timed out progressing", deadline.Message);
        Assert.Equal(AgentReasons.Unavailable, crashing.Reason);
        Assert.Contains("0 of 1 processes ready", crashing.Message);
    }

    [Fact]
    public void Zero_replicas_is_Parked()
    {
        var (_, resolution) = Resolve("replicas: 0");

        var ready = AgentStatusCalculator.Readiness(resolution.Plan!, Deployment(ready: 0, updated: 0, replicas: 0));

        Assert.Equal(AgentReasons.Parked, ready.Reason);
        Assert.Contains("kubectl scale agent/a --replicas=1", ready.Message);
    }

    [Fact]
    public void A_resolution_failure_is_the_Ready_reason_and_leaves_no_hash()
    {
        var cluster = Manifests.Cluster(Manifests.Agent("a"));
        var agent = cluster.Agents.Single();

        var status = AgentStatusCalculator.Compute(agent, AgentResolver.Resolve(agent, cluster, OperatorOptions.Default), null, rollout: null);

        Assert.All(status.Conditions, c => Assert.Equal((DesiredCondition.False, AgentReasons.ProviderNotFound), (c.Status, c.Reason)));
        Assert.Null(status.ConfigHash);
    }

    [Fact]
    public void Merging_conditions_moves_lastTransitionTime_only_when_the_status_flips()
    {
        var t0 = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var first = StatusConditions.Merge(null, [DesiredCondition.Failed("Ready", AgentReasons.Progressing, "rolling")], 1, t0);
        var sameStatus = StatusConditions.Merge(first, [DesiredCondition.Failed("Ready", AgentReasons.Unavailable, "0 of 1")], 2, t0.AddMinutes(1));
        var flipped = StatusConditions.Merge(sameStatus, [DesiredCondition.Met("Ready", AgentReasons.Available, "1 of 1")], 2, t0.AddMinutes(2));

        Assert.Equal(t0.UtcDateTime, sameStatus.Single().LastTransitionTime);
        Assert.Equal(AgentReasons.Unavailable, sameStatus.Single().Reason);
        Assert.Equal(2, sameStatus.Single().ObservedGeneration);
        Assert.Equal(t0.AddMinutes(2).UtcDateTime, flipped.Single().LastTransitionTime);
        Assert.Equal(AgentReasons.Progressing, first.Single().Reason);
    }
}
