using System.Globalization;
using System.Text.Json.Nodes;

namespace Drover.Bench;

/// <summary>
/// The objects of one benchmark fleet, in the proportions a platform team would have: teams of up to 1,000 Agents,
/// each team with one ModelProvider (and key Secret) per 100 Agents, a Schedule for every tenth Agent, every fifth
/// Agent with a fallback model; and one shared provider in <c>platform</c>, open to all namespaces, that the first
/// <see cref="RotationAgents"/> Agents use, so rotating its key touches exactly that many. Beside them, the objects
/// other applications keep in the same namespaces (<see cref="OtherApps"/>): Helm release Secrets, ConfigMaps and
/// Services the operator has no business caching.
/// </summary>
internal sealed class FleetPlan
{
    public const string PlatformNamespace = "platform";
    public const string SharedProvider = "shared";
    public const string SharedSecret = "shared-key";
    public const string SecretKey = "api-key";
    public const string Image = "ghcr.io/drover-dev/echo-agent:0.1.0";
    public const string ChangedImage = "ghcr.io/drover-dev/echo-agent:0.1.1";

    private const int TeamSize = 1000;
    private const int AgentsPerProvider = 100;
    private const int AgentsPerSchedule = 10;
    private const int AgentsPerFallback = 5;
    private static readonly string[] ProviderTypes = ["Anthropic", "Groq", "Mistral", "OpenAI"];

    public FleetPlan(int agents, int rotation, int otherAppsPerHundred = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(agents, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(rotation, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(otherAppsPerHundred);
        Agents = agents;
        RotationAgents = Math.Min(rotation, agents);
        OtherAppsPerHundred = otherAppsPerHundred;
    }

    /// <summary>Secrets, ConfigMaps and Services of other applications, of each kind, per 100 Agents.</summary>
    public int OtherAppsPerHundred { get; }

    public int Agents { get; }

    /// <summary>Agents whose model comes from the shared provider.</summary>
    public int RotationAgents { get; }

    public int Teams => (Agents + TeamSize - 1) / TeamSize;

    public int Schedules => (Agents + AgentsPerSchedule - 1) / AgentsPerSchedule;

    /// <summary>Team providers plus the shared one.</summary>
    public int Providers => Enumerable.Range(0, Teams).Sum(TeamProviders) + 1;

    public static string TeamNamespace(int team) => "team-" + (team + 1).ToString(CultureInfo.InvariantCulture);

    public static string AgentName(int index) => "agent-" + index.ToString("D5", CultureInfo.InvariantCulture);

    public (string Namespace, string Name) Agent(int index) => (TeamNamespace(index / TeamSize), AgentName(index));

    public IEnumerable<(string Namespace, string Name)> SharedProviderAgents => Enumerable.Range(0, RotationAgents).Select(Agent);

    /// <summary>The namespaces the fleet lives in.</summary>
    public IEnumerable<JsonObject> Namespaces() =>
        Enumerable.Range(0, Teams).Select(TeamNamespace).Prepend(PlatformNamespace)
            .Select(name => new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Namespace",
                ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { ["drover.dev/bench"] = "true" } },
            });

    /// <summary>
    /// What other applications keep in the teams' namespaces, per team <see cref="OtherAppsPerHundred"/> of each kind
    /// per 100 members: a Helm release Secret (a few KB of compressed, so incompressible, data), a ConfigMap and a
    /// Service, none of them labelled for Drover or named by any Drover resource.
    /// </summary>
    public IEnumerable<JsonObject> OtherApps()
    {
        var random = new Random(42);
        for (var team = 0; team < Teams; team++)
        {
            var ns = TeamNamespace(team);
            var members = Math.Min(TeamSize, Agents - (team * TeamSize));
            var count = ((members * OtherAppsPerHundred) + 99) / 100;
            for (var i = 0; i < count; i++)
            {
                var app = "app-" + i.ToString("D4", CultureInfo.InvariantCulture);
                var release = new byte[3 * 1024];
                random.NextBytes(release);
                yield return new JsonObject
                {
                    ["apiVersion"] = "v1",
                    ["kind"] = "Secret",
                    ["metadata"] = new JsonObject
                    {
                        ["name"] = $"sh.helm.release.v1.{app}.v1",
                        ["namespace"] = ns,
                        ["labels"] = new JsonObject { ["owner"] = "helm", ["name"] = app, ["status"] = "deployed", ["version"] = "1" },
                    },
                    ["type"] = "helm.sh/release.v1",
                    ["data"] = new JsonObject { ["release"] = Convert.ToBase64String(release) },
                };
                yield return new JsonObject
                {
                    ["apiVersion"] = "v1",
                    ["kind"] = "ConfigMap",
                    ["metadata"] = new JsonObject { ["name"] = app + "-config", ["namespace"] = ns, ["labels"] = new JsonObject { ["app"] = app } },
                    ["data"] = new JsonObject { ["settings.yaml"] = string.Concat(Enumerable.Range(0, 24).Select(n => $"option{n}: value-{app}-{n}\n")) },
                };
                yield return new JsonObject
                {
                    ["apiVersion"] = "v1",
                    ["kind"] = "Service",
                    ["metadata"] = new JsonObject { ["name"] = app, ["namespace"] = ns, ["labels"] = new JsonObject { ["app"] = app } },
                    ["spec"] = new JsonObject
                    {
                        ["selector"] = new JsonObject { ["app"] = app },
                        ["ports"] = new JsonArray(new JsonObject { ["name"] = "http", ["port"] = 80, ["targetPort"] = 8080 }),
                    },
                };
            }
        }
    }

    /// <summary>Key Secrets, then the providers that read them.</summary>
    public IEnumerable<JsonObject> Credentials()
    {
        yield return Secret(PlatformNamespace, SharedSecret, "sk-shared-1");
        for (var team = 0; team < Teams; team++)
        {
            for (var p = 0; p < TeamProviders(team); p++)
            {
                yield return Secret(TeamNamespace(team), ProviderName(p) + "-key", $"key-{team}-{p}");
            }
        }
    }

    public IEnumerable<JsonObject> ModelProviders()
    {
        yield return Provider(PlatformNamespace, SharedProvider, "OpenAI", SharedSecret, "gpt-4o-mini", allowAll: true);
        for (var team = 0; team < Teams; team++)
        {
            for (var p = 0; p < TeamProviders(team); p++)
            {
                var type = ProviderTypes[p % ProviderTypes.Length];
                yield return Provider(TeamNamespace(team), ProviderName(p), type, ProviderName(p) + "-key", DefaultModel(type), allowAll: false);
            }
        }
    }

    /// <summary>Agents and their Schedules, interleaved as a GitOps sync would send them.</summary>
    public IEnumerable<JsonObject> Workloads()
    {
        for (var i = 0; i < Agents; i++)
        {
            yield return AgentObject(i);
            if (i % AgentsPerSchedule == 0)
            {
                yield return ScheduleObject(i);
            }
        }
    }

    public JsonObject AgentObject(int index)
    {
        var (ns, name) = Agent(index);
        var team = index / TeamSize;
        var providers = TeamProviders(team);
        var primary = index % TeamSize / AgentsPerProvider % providers;
        var model = index < RotationAgents
            ? new JsonObject
            {
                ["providerRef"] = new JsonObject { ["name"] = SharedProvider, ["namespace"] = PlatformNamespace },
                ["name"] = "gpt-4o-mini",
            }
            : new JsonObject { ["providerRef"] = new JsonObject { ["name"] = ProviderName(primary) } };

        // A fallback must be another provider than the primary (the operator rejects a chain that repeats one), and
        // never the shared one, so that only the shared provider's own agents depend on its key.
        var fallback = index < RotationAgents ? 0 : (primary + 1) % providers;
        if (index % AgentsPerFallback == 0 && (index < RotationAgents || providers > 1))
        {
            model["fallbacks"] = new JsonArray(new JsonObject { ["providerRef"] = new JsonObject { ["name"] = ProviderName(fallback) } });
        }

        return new JsonObject
        {
            ["apiVersion"] = "drover.dev/v1alpha1",
            ["kind"] = "Agent",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["labels"] = new JsonObject { ["team"] = ns } },
            ["spec"] = new JsonObject
            {
                ["image"] = Image,
                ["runOnce"] = new JsonObject { ["command"] = new JsonArray("echo-agent", "--once", "$(DROVER_PROMPT)") },
                ["model"] = model,
                ["instructions"] = $"You are {name}. Triage what you are given and answer in one paragraph.",
                ["config"] = new JsonObject { ["tools"] = new JsonArray("search", "fetch"), ["maxSteps"] = 8 },
            },
        };
    }

    private JsonObject ScheduleObject(int agentIndex)
    {
        var (ns, agent) = Agent(agentIndex);
        var schedule = new JsonObject
        {
            ["agentRef"] = new JsonObject { ["name"] = agent },
            ["schedule"] = $"{agentIndex % 60} {agentIndex / 60 % 24} * * *",
            ["prompt"] = "Summarise what changed since yesterday.",
        };
        if (agentIndex / AgentsPerSchedule % 3 == 0)
        {
            schedule["timeZone"] = "Europe/Berlin";
        }

        return new JsonObject
        {
            ["apiVersion"] = "drover.dev/v1alpha1",
            ["kind"] = "Schedule",
            ["metadata"] = new JsonObject { ["name"] = "digest-" + agentIndex.ToString("D5", CultureInfo.InvariantCulture), ["namespace"] = ns },
            ["spec"] = schedule,
        };
    }

    private int TeamProviders(int team)
    {
        var members = Math.Min(TeamSize, Agents - (team * TeamSize));
        return Math.Max(1, (members + AgentsPerProvider - 1) / AgentsPerProvider);
    }

    private static string ProviderName(int index) => "provider-" + index.ToString(CultureInfo.InvariantCulture);

    private static string DefaultModel(string type) => type switch
    {
        "Anthropic" => "claude-3-5-haiku-latest",
        "Groq" => "llama-3.3-70b-versatile",
        "Mistral" => "mistral-small-latest",
        _ => "gpt-4o-mini",
    };

    public static JsonObject Secret(string ns, string name, string value) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Secret",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = ns,
            ["labels"] = new JsonObject { ["drover.dev/provider-credentials"] = "true" },
        },
        ["stringData"] = new JsonObject { [SecretKey] = value },
    };

    private static JsonObject Provider(string ns, string name, string type, string secret, string defaultModel, bool allowAll) => new()
    {
        ["apiVersion"] = "drover.dev/v1alpha1",
        ["kind"] = "ModelProvider",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
        ["spec"] = new JsonObject
        {
            ["type"] = type,
            ["apiKey"] = new JsonObject { ["secretKeyRef"] = new JsonObject { ["name"] = secret, ["key"] = SecretKey } },
            ["defaultModel"] = defaultModel,
            ["limits"] = new JsonObject { ["requestsPerMinute"] = 600 },
            ["allowedNamespaces"] = new JsonObject { ["from"] = allowAll ? "All" : "Same" },
        },
    };
}
