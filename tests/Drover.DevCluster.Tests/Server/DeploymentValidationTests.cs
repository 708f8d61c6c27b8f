using System.Net;
using System.Text.Json.Nodes;
using Drover.DevCluster.Tests.Clients;

namespace Drover.DevCluster.Tests.Server;

/// <summary>Deployments are defaulted and validated as the real API server does (pkg/apis/apps).</summary>
public class DeploymentValidationTests : ClusterTestBase
{
    private const string Deployments = "/apis/apps/v1/namespaces/default/deployments";

    private Task<Reply> ApplyAsync(string name, JsonObject body, string manager = "drover") =>
        PatchAsync($"{Deployments}/{name}?fieldManager={manager}&force=true&fieldValidation=Strict", body, "application/apply-patch+yaml");

    private static JsonObject WithStrategy(string name, JsonObject strategy)
    {
        var deployment = Deployment(name);
        deployment["spec"]!["strategy"] = strategy;
        return deployment;
    }

    private static void AssertInvalid(Reply reply, string name, string field, string reason, string message)
    {
        Assert.True(reply.Status == HttpStatusCode.UnprocessableEntity, $"{(int)reply.Status} {reply.Text}");
        Assert.Equal("Invalid", reply.Reason);
        Assert.Equal($"Deployment.apps \"{name}\" is invalid: {field}: {message}", reply.Message);
        var cause = Assert.Single(reply.Json!["details"]!["causes"]!.AsArray())!;
        Assert.Equal((reason, field), (cause["reason"]!.GetValue<string>(), cause["field"]!.GetValue<string>()));
    }

    [Fact]
    public async Task The_server_defaults_the_strategy_the_history_limit_and_the_progress_deadline()
    {
        var created = await CreateOkAsync(Deployments, Deployment("plain"));
        var spec = created["spec"]!;
        Assert.Equal("RollingUpdate", spec["strategy"]!["type"]!.GetValue<string>());
        Assert.Equal(("25%", "25%"), (spec["strategy"]!["rollingUpdate"]!["maxSurge"]!.GetValue<string>(), spec["strategy"]!["rollingUpdate"]!["maxUnavailable"]!.GetValue<string>()));
        Assert.Equal(10, spec["revisionHistoryLimit"]!.GetValue<int>());
        Assert.Equal(600, spec["progressDeadlineSeconds"]!.GetValue<int>());

        var recreate = await CreateOkAsync(Deployments, WithStrategy("recreate", new JsonObject { ["type"] = "Recreate" }));
        Assert.Null(recreate["spec"]!["strategy"]!["rollingUpdate"]);

        var partial = await CreateOkAsync(Deployments, WithStrategy("partial", new JsonObject { ["rollingUpdate"] = new JsonObject { ["maxSurge"] = 0 } }));
        Assert.Equal("RollingUpdate", partial["spec"]!["strategy"]!["type"]!.GetValue<string>());
        Assert.Equal(0, partial["spec"]!["strategy"]!["rollingUpdate"]!["maxSurge"]!.GetValue<int>());
        Assert.Equal("25%", partial["spec"]!["strategy"]!["rollingUpdate"]!["maxUnavailable"]!.GetValue<string>());
    }

    [Fact]
    public async Task Recreate_with_a_rolling_update_is_rejected()
    {
        var reply = await PostAsync(Deployments, WithStrategy("both", JsonNode.Parse("""{"type":"Recreate","rollingUpdate":{"maxSurge":1}}""")!.AsObject()));
        AssertInvalid(reply, "both", "spec.strategy.rollingUpdate", "FieldValueForbidden", "Forbidden: may not be specified when strategy `type` is 'Recreate'");
    }

    [Fact]
    public async Task Max_surge_and_max_unavailable_may_not_both_be_zero()
    {
        var reply = await PostAsync(Deployments, WithStrategy("frozen", JsonNode.Parse("""{"type":"RollingUpdate","rollingUpdate":{"maxSurge":0,"maxUnavailable":"0%"}}""")!.AsObject()));
        AssertInvalid(reply, "frozen", "spec.strategy.rollingUpdate.maxUnavailable", "FieldValueInvalid", "Invalid value: 0%: may not be 0 when `maxSurge` is 0");
    }

    [Theory]
    [InlineData("\"150%\"", "spec.strategy.rollingUpdate.maxUnavailable", "Invalid value: 150%: must not be greater than 100%")]
    [InlineData("-1", "spec.strategy.rollingUpdate.maxUnavailable", "Invalid value: -1: must be greater than or equal to 0")]
    [InlineData("\"half\"", "spec.strategy.rollingUpdate.maxUnavailable", "Invalid value: half: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")]
    public async Task Max_unavailable_must_be_a_count_or_a_percentage_up_to_100(string value, string field, string message)
    {
        var strategy = new JsonObject
        {
            ["type"] = "RollingUpdate",
            ["rollingUpdate"] = new JsonObject { ["maxSurge"] = 1, ["maxUnavailable"] = JsonNode.Parse(value) },
        };
        AssertInvalid(await PostAsync(Deployments, WithStrategy("odd", strategy)), "odd", field, "FieldValueInvalid", message);
    }

    [Fact]
    public async Task Other_deployment_rules_are_checked_too()
    {
        var mismatch = Deployment("mismatch");
        mismatch["spec"]!["selector"] = JsonNode.Parse("""{"matchLabels":{"app":"other"}}""");
        AssertInvalid(await PostAsync(Deployments, mismatch), "mismatch", "spec.template.metadata.labels", "FieldValueInvalid",
            "Invalid value: map[string]string{\"app\":\"mismatch\"}: `selector` does not match template `labels`");

        var negative = Deployment("negative");
        negative["spec"]!["replicas"] = -1;
        AssertInvalid(await PostAsync(Deployments, negative), "negative", "spec.replicas", "FieldValueInvalid", "Invalid value: -1: must be greater than or equal to 0");

        var deadline = Deployment("deadline");
        deadline["spec"]!["minReadySeconds"] = 30;
        deadline["spec"]!["progressDeadlineSeconds"] = 30;
        AssertInvalid(await PostAsync(Deployments, deadline), "deadline", "spec.progressDeadlineSeconds", "FieldValueInvalid", "Invalid value: 30: must be greater than minReadySeconds");

        var unknown = WithStrategy("unknown", new JsonObject { ["type"] = "BlueGreen" });
        var reply = await PostAsync(Deployments, unknown);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reply.Status);
        Assert.Contains("spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:\"BlueGreen\"", reply.Message);
        Assert.EndsWith(": supported values: \"Recreate\", \"RollingUpdate\"", reply.Message);
    }

    [Fact]
    public async Task Server_side_apply_switching_to_recreate_keeps_the_defaulted_rolling_update_and_fails()
    {
        var rolling = WithStrategy("agent", new JsonObject { ["type"] = "RollingUpdate" });
        Assert.Equal(HttpStatusCode.Created, (await ApplyAsync("agent", rolling)).Status);
        var applied = (await GetAsync($"{Deployments}/agent")).Json!;
        Assert.NotNull(applied["spec"]!["strategy"]!["rollingUpdate"]);

        // drover never owned the server's rollingUpdate, so its apply leaves it there: the same 422 a real server answers.
        var reply = await ApplyAsync("agent", WithStrategy("agent", new JsonObject { ["type"] = "Recreate" }));
        AssertInvalid(reply, "agent", "spec.strategy.rollingUpdate", "FieldValueForbidden", "Forbidden: may not be specified when strategy `type` is 'Recreate'");

        // Clearing the field in the same write (as a merge patch can) is how a client gets there.
        var fixedUp = await PatchAsync($"{Deployments}/agent", JsonNode.Parse("""{"spec":{"strategy":{"type":"Recreate","rollingUpdate":null}}}""")!);
        Assert.Equal(HttpStatusCode.OK, fixedUp.Status);
        Assert.Equal(HttpStatusCode.OK, (await ApplyAsync("agent", WithStrategy("agent", new JsonObject { ["type"] = "Recreate" }))).Status);
    }

    [Fact]
    public async Task Server_side_apply_that_owned_its_rolling_update_can_switch_to_recreate()
    {
        var rolling = WithStrategy("owned", JsonNode.Parse("""{"type":"RollingUpdate","rollingUpdate":{"maxSurge":0,"maxUnavailable":1}}""")!.AsObject());
        Assert.Equal(HttpStatusCode.Created, (await ApplyAsync("owned", rolling)).Status);
        var reply = await ApplyAsync("owned", WithStrategy("owned", new JsonObject { ["type"] = "Recreate" }));
        Assert.True(reply.Status == HttpStatusCode.OK, reply.Text);
        Assert.Null(reply.Json!["spec"]!["strategy"]!["rollingUpdate"]);
    }

    [RealClientFact("kubectl")]
    public async Task Kubectl_apply_reports_the_recreate_conflict_as_a_real_server_does()
    {
        using var kubectl = new RealClient("kubectl", Server);
        var file = Path.Combine(Path.GetTempPath(), $"drover-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, WithStrategy("web", JsonNode.Parse("""{"type":"Recreate","rollingUpdate":{"maxSurge":1}}""")!.AsObject()).ToJsonString());
        try
        {
            var result = await kubectl.RunAsync("apply", "-f", file);
            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains("The Deployment \"web\" is invalid: spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'", result.Stderr);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
