using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Drover.Scenarios.Packaging;

/// <summary>
/// Does the Argo CD health check in docs/argocd-health.md say what a user expects for each state of an
/// Agent, ModelProvider and Schedule? The script runs in a real Lua VM (fengari) the way Argo CD runs it:
/// the object as the global <c>obj</c>, the returned table's status and message read back.
/// </summary>
public sealed partial class ArgoCdHealthTests
{
    // Argo CD hands the object to the script as the global `obj`; the harness does the same with fengari.
    private const string Harness = """
        const fengari = require(process.argv[1]);
        const { lua, lauxlib, lualib, to_luastring, to_jsstring } = fengari;
        const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
        const results = [];
        for (const obj of input.objects) {
          const L = lauxlib.luaL_newstate();
          lualib.luaL_openlibs(L);
          const push = (v) => {
            if (v === null || v === undefined) lua.lua_pushnil(L);
            else if (typeof v === "boolean") lua.lua_pushboolean(L, v);
            else if (typeof v === "number") lua.lua_pushnumber(L, v);
            else if (typeof v === "string") lua.lua_pushstring(L, to_luastring(v));
            else if (Array.isArray(v)) { lua.lua_newtable(L); v.forEach((x, i) => { push(x); lua.lua_rawseti(L, -2, i + 1); }); }
            else { lua.lua_newtable(L); for (const [k, x] of Object.entries(v)) { push(x); lua.lua_setfield(L, -2, to_luastring(k)); } }
          };
          push(obj);
          lua.lua_setglobal(L, to_luastring("obj"));
          if (lauxlib.luaL_loadstring(L, to_luastring(input.script)) !== 0 || lua.lua_pcall(L, 0, 1, 0) !== 0) {
            throw new Error(to_jsstring(lua.lua_tostring(L, -1)));
          }
          lua.lua_getfield(L, -1, to_luastring("status"));
          const status = to_jsstring(lua.lua_tostring(L, -1));
          lua.lua_pop(L, 1);
          lua.lua_getfield(L, -1, to_luastring("message"));
          const message = to_jsstring(lua.lua_tostring(L, -1));
          results.push({ status, message });
        }
        process.stdout.write(JSON.stringify(results));
        """;

    [GeneratedRegex("```lua\n(?<script>.*?)```", RegexOptions.Singleline)]
    private static partial Regex LuaBlock();

    [GeneratedRegex("```yaml\n(?<yaml>.*?)```", RegexOptions.Singleline)]
    private static partial Regex YamlBlock();

    private static string Doc => File.ReadAllText(RepositoryLayout.ArgoCdHealthDoc);

    private static string Script => LuaBlock().Match(Doc).Groups["script"].Value;

    private static JsonObject Object(string kind, long generation, string? status, long? observed = null, JsonObject? spec = null, string? reason = null, string? message = null)
    {
        var o = new JsonObject
        {
            ["apiVersion"] = "drover.dev/v1alpha1",
            ["kind"] = kind,
            ["metadata"] = new JsonObject { ["name"] = "x", ["generation"] = generation },
            ["spec"] = spec ?? new JsonObject(),
        };
        if (observed is not null)
        {
            var conditions = new JsonArray();
            if (status is not null)
            {
                conditions.Add(new JsonObject { ["type"] = "CredentialsResolved", ["status"] = "True" });
                conditions.Add(new JsonObject { ["type"] = "Ready", ["status"] = status, ["reason"] = reason, ["message"] = message });
            }
            o["status"] = new JsonObject { ["observedGeneration"] = observed, ["conditions"] = conditions };
        }
        return o;
    }

    private static List<(string Status, string Message)> Evaluate(params JsonObject[] objects)
    {
        var input = new JsonObject { ["script"] = Script, ["objects"] = new JsonArray([.. objects]) }.ToJsonString();
        var result = ToolRun.Run(RepositoryLayout.FindOnPath("node") ?? "node", ["-e", Harness, RepositoryLayout.LuaVm], input).Succeeded();
        return [.. JsonNode.Parse(result)!.AsArray().Select(r => ((string)r!["status"]!, (string)r["message"]!))];
    }

    [PackagingFact(PackagingTool.LuaVm)]
    public void Ready_true_at_the_observed_generation_is_healthy_for_every_kind()
    {
        var results = Evaluate(
            Object("Agent", 3, "True", observed: 3, reason: "Available"),
            Object("ModelProvider", 1, "True", observed: 1, reason: "Resolved"),
            Object("Schedule", 2, "True", observed: 2, reason: "Scheduled"));

        Assert.All(results, r => Assert.Equal("Healthy", r.Status));
        Assert.Equal("Available", results[0].Message);
    }

    [PackagingFact(PackagingTool.LuaVm)]
    public void Ready_false_is_degraded_with_the_reason_and_message()
    {
        var (status, message) = Evaluate(Object("ModelProvider", 1, "False", observed: 1, reason: "SecretNotFound", message: "secret openai-api-key not found")).Single();

        Assert.Equal("Degraded", status);
        Assert.Equal("SecretNotFound: secret openai-api-key not found", message);
    }

    [PackagingFact(PackagingTool.LuaVm)]
    public void An_unobserved_generation_or_missing_status_is_progressing_even_if_ready_was_true()
    {
        var results = Evaluate(
            Object("Agent", 4, "True", observed: 3),
            Object("Agent", 1, null),
            Object("Schedule", 1, "Unknown", observed: 1, reason: "Reconciling"),
            Object("ModelProvider", 1, null, observed: 1));

        Assert.Equal(["Progressing", "Progressing", "Progressing", "Progressing"], results.Select(r => r.Status));
        Assert.Equal("Waiting for the operator to observe the latest generation", results[0].Message);
        Assert.Equal("Waiting for the Ready condition", results[3].Message);
    }

    [PackagingFact(PackagingTool.LuaVm)]
    public void A_suspended_schedule_and_a_parked_agent_are_suspended()
    {
        var results = Evaluate(
            Object("Schedule", 2, "True", observed: 2, spec: new JsonObject { ["suspend"] = true }),
            Object("Agent", 2, "True", observed: 2, spec: new JsonObject { ["replicas"] = 0 }),
            Object("Agent", 2, "True", observed: 2, spec: new JsonObject { ["replicas"] = 1 }));

        Assert.Equal(["Suspended", "Suspended", "Healthy"], results.Select(r => r.Status));
    }

    [PackagingFact(PackagingTool.LuaVm)]
    public void Evaluating_twice_gives_identical_output()
    {
        var objects = new[] { Object("Agent", 1, "False", observed: 1, reason: "ModelUnresolved", message: "provider openai not found") };

        Assert.Equal(
            JsonSerializer.Serialize(Evaluate(objects).Select(r => new[] { r.Status, r.Message })),
            JsonSerializer.Serialize(Evaluate([.. objects.Select(o => o.DeepClone().AsObject())]).Select(r => new[] { r.Status, r.Message })));
    }

    [Fact]
    public void The_argocd_cm_snippet_installs_exactly_the_documented_script_for_all_three_kinds()
    {
        var configMap = RenderedManifests.Parse(YamlBlock().Match(Doc).Groups["yaml"].Value).Objects.Single();
        var data = configMap["data"]!.AsObject();

        Assert.Equal("argocd-cm", (string?)configMap["metadata"]!["name"]);
        foreach (var kind in new[] { "Agent", "ModelProvider", "Schedule" })
        {
            Assert.Equal(Script, (string?)data[$"resource.customizations.health.drover.dev_{kind}"]);
        }
    }
}
