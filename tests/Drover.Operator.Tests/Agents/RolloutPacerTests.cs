using Drover.ControllerRuntime.Client;
using Drover.Operator.Rollouts;
using k8s.Models;

namespace Drover.Operator.Tests.Agents;

public class RolloutPacerTests
{
    [Fact]
    public void Agents_refused_a_slot_are_woken_oldest_first_one_per_freed_slot()
    {
        var pacer = new RolloutPacer(maxConcurrent: 2);
        var rolling = new List<V1Deployment>
        {
            Deployment("a", progressing: true), Deployment("b", progressing: true),
            Deployment("c", progressing: false), Deployment("d", progressing: false), Deployment("e", progressing: false),
        };
        Assert.False(pacer.TryStart(Key("c"), "h2", rolling).Allowed);
        Assert.False(pacer.TryStart(Key("d"), "h2", rolling).Allowed);
        Assert.False(pacer.TryStart(Key("e"), "h2", rolling).Allowed);
        Assert.False(pacer.TryStart(Key("c"), "h2", rolling).Allowed); // a retry keeps its place in line

        Assert.Empty(pacer.TakeWaiting(rolling));

        rolling[0] = Deployment("a", progressing: false);
        Assert.Equal([Key("c")], pacer.TakeWaiting(rolling));
        Assert.True(pacer.TryStart(Key("c"), "h2", rolling).Allowed);
        Assert.Empty(pacer.TakeWaiting(rolling));

        rolling[1] = Deployment("b", progressing: false);
        Assert.Equal([Key("d")], pacer.TakeWaiting(rolling));
        Assert.True(pacer.TryStart(Key("d"), "h2", rolling).Allowed);
        Assert.Empty(pacer.TakeWaiting(rolling)); // c and d hold both slots until their Deployments show the new hash rolled out
    }

    [Fact]
    public void An_agent_that_starts_or_is_deleted_leaves_the_line()
    {
        var pacer = new RolloutPacer(maxConcurrent: 1);
        var busy = new List<V1Deployment> { Deployment("a", progressing: true), Deployment("c", progressing: false), Deployment("d", progressing: false) };
        Assert.False(pacer.TryStart(Key("b"), "h2", busy).Allowed);
        Assert.False(pacer.TryStart(Key("c"), "h2", busy).Allowed);
        Assert.False(pacer.TryStart(Key("d"), "h2", busy).Allowed);
        pacer.Forget(Key("b"));

        var idle = new List<V1Deployment> { Deployment("a", progressing: false), Deployment("c", progressing: false), Deployment("d", progressing: false) };
        Assert.True(pacer.TryStart(Key("c"), "h2", idle).Allowed);
        Assert.Empty(pacer.TakeWaiting(idle)); // c holds the only slot until its Deployment shows the new hash rolled out

        var rolled = new List<V1Deployment> { Deployment("a", progressing: false), Deployment("c", progressing: false, hash: "h2"), Deployment("d", progressing: false) };
        Assert.Equal([Key("d")], pacer.TakeWaiting(rolled));
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
