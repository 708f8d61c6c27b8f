using System.Text.Json.Nodes;
using Drover.Scenarios.Support;
using Xunit.Abstractions;

namespace Drover.Scenarios.Packaging;

/// <summary>
/// `helm install` of charts/drover, then the samples, with the operator being the published NativeAOT binary started
/// exactly as the installed Deployment starts it. The dev cluster runs no containers, so the binary runs on this
/// machine: its arguments and environment are read back from the cluster, not written down here.
/// </summary>
public sealed class HelmInstallTests(ITestOutputHelper output)
{
    private const PackagingTool Needs = PackagingTool.Helm | PackagingTool.Kubectl | PackagingTool.PublishedOperator;
    private const string Namespace = "drover-system";
    private static readonly TimeSpan Convergence = TimeSpan.FromSeconds(60);

    [PackagingFact(Needs)]
    public async Task The_samples_reach_Ready_under_the_published_binary_run_as_the_installed_Deployment_runs_it()
    {
        await using var cluster = await ChartCluster.StartAsync();
        cluster.Helm("install", "drover", RepositoryLayout.Chart, "--namespace", Namespace, "--create-namespace", "--wait", "--timeout", "60s").Succeeded();
        var deployment = cluster.Get("deployment", "drover", "--namespace", Namespace);
        var replica = OperatorReplica.Of(deployment, ChartCluster.PodName(deployment, 0));
        cluster.Kubectl("apply", "--server-side", "-k", Path.Combine(RepositoryLayout.Config, "samples")).Succeeded();
        var rbac = InstalledRbac.Read(cluster, Namespace, (string)deployment["spec"]!["template"]!["spec"]!["serviceAccountName"]!);
        cluster.Server.Requests.Reset();

        await using var drover = PublishedOperator.Start(replica, cluster.Kubeconfig, output);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.TrueAsync(
            async () => Converged(cluster) && await drover.IsReadyAsync(http) || drover.HasExited,
            $"every Agent and Schedule Ready and {drover.Readiness} answering 200",
            Convergence,
            () => Describe(cluster));
        Assert.False(drover.HasExited, "the binary exited:\n" + string.Join('\n', drover.Lines));
        // Only the binary spoke to the API server since the reset: the waiting above read the store directly.
        var requests = cluster.Server.Requests.Snapshot();

        // What a user sees: kubectl agrees that everything the samples made is Ready.
        cluster.Kubectl("wait", "--for=condition=Ready", "--timeout=10s", "agents,schedules", "--all", "--all-namespaces").Succeeded();

        // The binary read the chart's flags as the chart meant them.
        var starting = drover.LogEntries.Single(e => Format(e) == "Drover {Version} starting: namespaces {Namespaces}, {Workers} workers, leader election {LeaderElection}, metrics {Metrics}, health {Health}")["State"]!;
        Assert.Equal("all", starting["Namespaces"]!.ToString());
        Assert.Equal(Flag(replica, "--workers"), starting["Workers"]!.ToString());
        Assert.Equal("false", starting["LeaderElection"]!.ToString(), ignoreCase: true);
        AssertNoErrors(drover);

        Assert.True(requests.ContainsKey(("watch", "agents")), "the binary never watched agents: " + string.Join(", ", requests.Keys));
        var forbidden = requests.Keys.Where(r => !rbac.Allows(r.Verb, r.Resource)).Select(r => $"{r.Verb} {r.Resource}").ToList();
        Assert.True(forbidden.Count == 0, $"the chart's RBAC does not let {rbac.ServiceAccount} do what the binary did: {string.Join(", ", forbidden)}");

        Assert.Equal(0, await drover.TerminateAsync());
    }

    [PackagingFact(Needs)]
    public async Task Upgrading_to_two_replicas_elects_one_leader_and_the_other_takes_over_when_it_stops()
    {
        await using var cluster = await ChartCluster.StartAsync();
        cluster.Helm("install", "drover", RepositoryLayout.Chart, "--namespace", Namespace, "--create-namespace", "--wait", "--timeout", "60s").Succeeded();
        Assert.DoesNotContain("--leader-elect", RenderedManifests.Args(cluster.Get("deployment", "drover", "--namespace", Namespace)));

        cluster.Helm("upgrade", "drover", RepositoryLayout.Chart, "--namespace", Namespace, "--reuse-values", "--set", "replicas=2", "--wait", "--timeout", "60s").Succeeded();
        var deployment = cluster.Get("deployment", "drover", "--namespace", Namespace);
        Assert.Equal(2L, (long?)deployment["spec"]!["replicas"]);
        Assert.Contains("--leader-elect", RenderedManifests.Args(deployment));
        cluster.Kubectl("apply", "--server-side", "-k", Path.Combine(RepositoryLayout.Config, "samples")).Succeeded();
        var rbac = InstalledRbac.Read(cluster, Namespace, (string)deployment["spec"]!["template"]!["spec"]!["serviceAccountName"]!);

        await using var first = PublishedOperator.Start(OperatorReplica.Of(deployment, ChartCluster.PodName(deployment, 0)), cluster.Kubeconfig, output);
        await using var second = PublishedOperator.Start(OperatorReplica.Of(deployment, ChartCluster.PodName(deployment, 1)), cluster.Kubeconfig, output);
        PublishedOperator[] replicas = [first, second];
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

        string? holder = null;
        await Eventually.TrueAsync(
            async () =>
            {
                holder = LeaseHolder(cluster);
                return holder is not null && Converged(cluster)
                    && await first.IsReadyAsync(http) && await second.IsReadyAsync(http) || replicas.Any(r => r.HasExited);
            },
            $"a Lease in {Namespace}, every Agent and Schedule Ready, and both replicas' readiness probes answering 200",
            Convergence,
            () => $"lease holder {holder ?? "none"}; " + Describe(cluster));
        Assert.DoesNotContain(replicas, r => r.HasExited);

        // The chart's POD_NAME names the holder; the other replica stays a warm standby.
        var leader = replicas.Single(r => holder!.StartsWith(r.Replica.PodName + "_", StringComparison.Ordinal));
        var standby = replicas.Single(r => r != leader);
        Assert.Single(leader.LogEntries, e => Acquired(e, holder!));
        Assert.DoesNotContain(standby.LogEntries, e => Acquired(e, null));
        foreach (var verb in new[] { "get", "create", "update" })
        {
            Assert.True(rbac.Allows(verb, "leases", Namespace), $"the chart's RBAC does not let {rbac.ServiceAccount} {verb} leases in {Namespace}");
        }

        Assert.Equal(0, await leader.TerminateAsync());
        await Eventually.TrueAsync(
            () => Task.FromResult(LeaseHolder(cluster) is { } h && h.StartsWith(standby.Replica.PodName + "_", StringComparison.Ordinal)),
            $"{standby.Replica.PodName} to take the Lease once {leader.Replica.PodName} stopped",
            Convergence,
            () => $"lease holder {LeaseHolder(cluster) ?? "none"}");
        // The Lease changes hands before the standby's log line about it reaches us through its stdout pipe.
        await Eventually.TrueAsync(
            () => Task.FromResult(standby.LogEntries.Any(e => Acquired(e, null))),
            $"{standby.Replica.PodName} to log that it acquired the Lease",
            Convergence);
        AssertNoErrors(first);
        AssertNoErrors(second);
        Assert.Equal(0, await standby.TerminateAsync());
    }

    /// <summary>Every Agent and Schedule (the samples make at least one of each) reports Ready for its current generation.</summary>
    private static bool Converged(ChartCluster cluster)
    {
        var objects = cluster.Stored("drover.dev", "v1alpha1", "agents").Concat(cluster.Stored("drover.dev", "v1alpha1", "schedules")).ToList();
        return objects.Any(o => (string?)o["kind"] == "Agent") && objects.Any(o => (string?)o["kind"] == "Schedule") && objects.All(IsReady);
    }

    private static bool IsReady(JsonObject o) =>
        (long?)o["status"]?["observedGeneration"] == (long?)o["metadata"]!["generation"]
        && o["status"]?["conditions"]?.AsArray().Any(c => (string?)c!["type"] == "Ready" && (string?)c["status"] == "True") == true;

    private static string Describe(ChartCluster cluster) =>
        string.Join("; ", cluster.Stored("drover.dev", "v1alpha1", "agents").Concat(cluster.Stored("drover.dev", "v1alpha1", "schedules"))
            .Select(o => $"{o["kind"]} {o["metadata"]!["name"]}: {o["status"]?["conditions"]?.ToJsonString() ?? "no status"}"));

    private static string? LeaseHolder(ChartCluster cluster)
    {
        var leases = cluster.Stored("coordination.k8s.io", "v1", "leases").Where(l => (string?)l["metadata"]!["namespace"] == Namespace).ToList();
        return leases.Count == 1 ? (string?)leases[0]["spec"]?["holderIdentity"] : null;
    }

    private static bool Acquired(JsonObject entry, string? identity) =>
        Format(entry) == "{Identity} acquired lease {Lease}" && (identity is null || (string?)entry["State"]?["Identity"] == identity);

    private static string? Format(JsonObject entry) => (string?)entry["State"]?["{OriginalFormat}"];

    private static string Flag(OperatorReplica replica, string name) =>
        replica.Args.Single(a => a.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..];

    // The failures an install gets wrong: a flag the binary rejects, a request RBAC forbids, an error while reconciling.
    private static void AssertNoErrors(PublishedOperator drover)
    {
        Assert.Empty(drover.EntriesAt("Error", "Critical"));
        Assert.DoesNotContain(drover.Lines, l => l.Contains("forbidden", StringComparison.OrdinalIgnoreCase)
            || l.Contains("unknown option", StringComparison.Ordinal)
            || l.StartsWith("drover run:", StringComparison.Ordinal));
    }
}
