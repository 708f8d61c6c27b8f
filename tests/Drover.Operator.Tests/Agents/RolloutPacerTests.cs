using Drover.ControllerRuntime.Client;
using Drover.Operator.Rollouts;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;

namespace Drover.Operator.Tests.Agents;

public class RolloutPacerTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(10);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public void A_started_rollout_holds_its_slot_until_its_Deployment_shows_the_new_hash_rolled_out()
    {
        var pacer = new RolloutPacer(maxConcurrent: 1, _time);
        pacer.Observe(Deployment("a", progressing: false));
        pacer.Observe(Deployment("b", progressing: false));

        Assert.True(pacer.TryStart(Key("a"), "h2", Deadline).Allowed);
        Assert.False(pacer.TryStart(Key("b"), "h2", Deadline).Allowed); // the apply is sent, its watch event not yet in
        Assert.True(pacer.TryStart(Key("a"), "h2", Deadline).Allowed); // asking again for the same hash keeps the slot

        Assert.False(pacer.Observe(Deployment("a", progressing: false))); // still the old template
        Assert.False(pacer.Observe(Deployment("a", progressing: true, hash: "h2")));
        Assert.Equal(1, pacer.Rolling);
        Assert.True(pacer.Observe(Deployment("a", progressing: false, hash: "h2")));
        Assert.Equal(0, pacer.Rolling);
        Assert.True(pacer.TryStart(Key("b"), "h2", Deadline).Allowed);
    }

    [Fact]
    public void Deployments_rolling_or_short_of_pods_for_other_reasons_hold_no_slot()
    {
        var pacer = new RolloutPacer(maxConcurrent: 1, _time);
        pacer.Observe(Deployment("created", progressing: true));
        pacer.Observe(LostAPod("finished-long-ago"));

        Assert.Equal(0, pacer.Rolling);
        Assert.True(pacer.TryStart(Key("b"), "h2", Deadline).Allowed);
    }

    [Fact]
    public void A_stalled_rollout_gives_back_its_slot()
    {
        var pacer = new RolloutPacer(maxConcurrent: 1, _time);
        Assert.True(pacer.TryStart(Key("a"), "h2", Deadline).Allowed);
        var stalled = Deployment("a", progressing: true, hash: "h2");
        stalled.Status.ObservedGeneration = stalled.Metadata.Generation;
        stalled.Status.AvailableReplicas = 0;
        stalled.Status.Conditions = [new V1DeploymentCondition { Type = "Progressing", Status = "False", Reason = "ProgressDeadlineExceeded" }];

        Assert.True(pacer.Observe(stalled));
        Assert.True(pacer.TryStart(Key("b"), "h2", Deadline).Allowed);
    }

    [Fact]
    public void A_stall_reported_before_the_new_template_was_seen_does_not_free_the_slot()
    {
        var pacer = new RolloutPacer(maxConcurrent: 1, _time);
        Assert.True(pacer.TryStart(Key("a"), "h2", Deadline).Allowed);
        var stale = Deployment("a", progressing: true, hash: "h2");
        stale.Status.Conditions = [new V1DeploymentCondition { Type = "Progressing", Status = "False", Reason = "ProgressDeadlineExceeded" }];

        Assert.False(pacer.Observe(stale));
        Assert.False(pacer.TryStart(Key("b"), "h2", Deadline).Allowed);
    }

    [Fact]
    public void A_slot_is_released_when_its_deadline_passes_and_asking_again_does_not_extend_it()
    {
        var pacer = new RolloutPacer(maxConcurrent: 1, _time);
        Assert.True(pacer.TryStart(Key("a"), "h2", Deadline).Allowed);
        _time.Advance(Deadline - TimeSpan.FromSeconds(1));
        Assert.True(pacer.TryStart(Key("a"), "h2", Deadline).Allowed);
        Assert.False(pacer.TryStart(Key("b"), "h2", Deadline).Allowed);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, pacer.Rolling);
        Assert.Equal([Key("b")], pacer.TakeWaiting());
        Assert.True(pacer.TryStart(Key("b"), "h2", Deadline).Allowed);
    }

    [Fact]
    public void A_failed_apply_releases_the_slot_of_that_hash_only()
    {
        var pacer = new RolloutPacer(maxConcurrent: 1, _time);
        Assert.True(pacer.TryStart(Key("a"), "h2", Deadline).Allowed);
        pacer.Release(Key("a"), "h1");
        Assert.Equal(1, pacer.Rolling);

        pacer.Release(Key("a"), "h2");
        Assert.Equal(0, pacer.Rolling);
        Assert.True(pacer.TryStart(Key("b"), "h2", Deadline).Allowed);
    }

    [Fact]
    public void Agents_refused_a_slot_are_woken_oldest_first_one_per_freed_slot()
    {
        var pacer = new RolloutPacer(maxConcurrent: 2, _time);
        Assert.True(pacer.TryStart(Key("a"), "h2", Deadline).Allowed);
        Assert.True(pacer.TryStart(Key("b"), "h2", Deadline).Allowed);
        Assert.False(pacer.TryStart(Key("c"), "h2", Deadline).Allowed);
        Assert.False(pacer.TryStart(Key("d"), "h2", Deadline).Allowed);
        Assert.False(pacer.TryStart(Key("e"), "h2", Deadline).Allowed);
        Assert.False(pacer.TryStart(Key("c"), "h2", Deadline).Allowed); // a retry keeps its place in line
        Assert.Empty(pacer.TakeWaiting());

        Assert.True(pacer.Observe(Deployment("a", progressing: false, hash: "h2")));
        Assert.Equal([Key("c")], pacer.TakeWaiting());
        Assert.True(pacer.TryStart(Key("c"), "h2", Deadline).Allowed);
        Assert.Empty(pacer.TakeWaiting());

        pacer.Removed(Key("b"));
        Assert.Equal([Key("d")], pacer.TakeWaiting());
        Assert.True(pacer.TryStart(Key("d"), "h2", Deadline).Allowed);
        Assert.Empty(pacer.TakeWaiting()); // c and d hold both slots until their Deployments show the new hash rolled out
        Assert.Equal(2, pacer.Rolling);
    }

    [Fact]
    public void An_agent_that_starts_or_is_deleted_leaves_the_line()
    {
        var pacer = new RolloutPacer(maxConcurrent: 1, _time);
        Assert.True(pacer.TryStart(Key("a"), "h2", Deadline).Allowed);
        Assert.False(pacer.TryStart(Key("b"), "h2", Deadline).Allowed);
        Assert.False(pacer.TryStart(Key("c"), "h2", Deadline).Allowed);
        Assert.False(pacer.TryStart(Key("d"), "h2", Deadline).Allowed);
        pacer.Forget(Key("b"));

        pacer.Observe(Deployment("a", progressing: false, hash: "h2"));
        Assert.True(pacer.TryStart(Key("c"), "h2", Deadline).Allowed);
        Assert.Empty(pacer.TakeWaiting());

        pacer.Observe(Deployment("c", progressing: false, hash: "h2"));
        Assert.Equal([Key("d")], pacer.TakeWaiting());
    }

    private static ObjectKey Key(string name) => new("default", name);

    private static V1Deployment LostAPod(string name)
    {
        var deployment = Deployment(name, progressing: false);
        deployment.Status.AvailableReplicas = 0;
        return deployment;
    }

    private static V1Deployment Deployment(string name, bool progressing, string hash = "h1") => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", Generation = progressing ? 2 : 1 },
        Spec = new V1DeploymentSpec
        {
            Replicas = 1,
            Template = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Annotations = new Dictionary<string, string> { ["drover.dev/config-hash"] = hash } } },
        },
        Status = new V1DeploymentStatus { ObservedGeneration = 1, Replicas = 1, UpdatedReplicas = 1, AvailableReplicas = 1 },
    };
}
