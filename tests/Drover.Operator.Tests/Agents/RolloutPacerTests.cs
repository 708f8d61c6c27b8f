using Drover.ControllerRuntime.Client;
using Drover.Operator.Rollouts;
using k8s.Models;

namespace Drover.Operator.Tests.Agents;

public class RolloutPacerTests
{
    [Fact]
    public void A_started_rollout_holds_its_slot_until_its_Deployment_shows_the_new_hash_rolled_out()
    {
        var pacer = new RolloutPacer(maxConcurrent: 1);
        pacer.Observe(Deployment("a", progressing: false));
        pacer.Observe(Deployment("b", progressing: false));

        Assert.True(pacer.TryStart(Key("a"), "h2").Allowed);
        Assert.False(pacer.TryStart(Key("b"), "h2").Allowed); // the apply is sent, its watch event not yet in
        Assert.True(pacer.TryStart(Key("a"), "h2").Allowed); // asking again for the same hash keeps the slot

        pacer.Observe(Deployment("a", progressing: true, hash: "h2"));
        Assert.Equal(1, pacer.Rolling);
        pacer.Observe(Deployment("a", progressing: false, hash: "h2"));
        Assert.Equal(0, pacer.Rolling);
        Assert.True(pacer.TryStart(Key("b"), "h2").Allowed);
    }

    [Fact]
    public void Agents_refused_a_slot_are_woken_oldest_first_one_per_freed_slot()
    {
        var pacer = new RolloutPacer(maxConcurrent: 2);
        foreach (var name in (string[])["c", "d", "e"])
        {
            pacer.Observe(Deployment(name, progressing: false));
        }

        pacer.Observe(Deployment("a", progressing: true));
        pacer.Observe(Deployment("b", progressing: true));
        Assert.False(pacer.TryStart(Key("c"), "h2").Allowed);
        Assert.False(pacer.TryStart(Key("d"), "h2").Allowed);
        Assert.False(pacer.TryStart(Key("e"), "h2").Allowed);
        Assert.False(pacer.TryStart(Key("c"), "h2").Allowed); // a retry keeps its place in line
        Assert.Empty(pacer.TakeWaiting());

        pacer.Observe(Deployment("a", progressing: false));
        Assert.Equal([Key("c")], pacer.TakeWaiting());
        Assert.True(pacer.TryStart(Key("c"), "h2").Allowed);
        Assert.Empty(pacer.TakeWaiting());

        pacer.Removed(Key("b"));
        Assert.Equal([Key("d")], pacer.TakeWaiting());
        Assert.True(pacer.TryStart(Key("d"), "h2").Allowed);
        Assert.Empty(pacer.TakeWaiting()); // c and d hold both slots until their Deployments show the new hash rolled out
        Assert.Equal(2, pacer.Rolling);
    }

    [Fact]
    public void An_agent_that_starts_or_is_deleted_leaves_the_line()
    {
        var pacer = new RolloutPacer(maxConcurrent: 1);
        pacer.Observe(Deployment("a", progressing: true));
        Assert.False(pacer.TryStart(Key("b"), "h2").Allowed);
        Assert.False(pacer.TryStart(Key("c"), "h2").Allowed);
        Assert.False(pacer.TryStart(Key("d"), "h2").Allowed);
        pacer.Forget(Key("b"));

        pacer.Observe(Deployment("a", progressing: false));
        Assert.True(pacer.TryStart(Key("c"), "h2").Allowed);
        Assert.Empty(pacer.TakeWaiting());

        pacer.Observe(Deployment("c", progressing: false, hash: "h2"));
        Assert.Equal([Key("d")], pacer.TakeWaiting());
    }

    private static ObjectKey Key(string name) => new("default", name);

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
