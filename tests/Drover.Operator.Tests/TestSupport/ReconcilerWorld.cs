using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Drover.Api;
using Drover.Api.V1Alpha1;
using Drover.ControllerRuntime.Apply;
using Drover.ControllerRuntime.Client;
using Drover.ControllerRuntime.Controllers;
using Drover.Operator.Agents;
using Drover.Operator.Children;
using Drover.Operator.Cluster;
using Drover.Operator.ModelProviders;
using Drover.Operator.Rendering;
using Drover.Operator.Resolution;
using Drover.Operator.Rollouts;
using Drover.Operator.Schedules;
using Drover.Operator.Status;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Drover.Operator.Tests.TestSupport;

/// <summary>
/// The reconcilers as the operator wires them, over caches filled from YAML (as a watch would fill them) and an API
/// server that answers every write and records it. A test says what the caches hold, reconciles one key, and reads
/// which writes were sent: applies, deletes, status patches, events.
/// </summary>
internal sealed class ReconcilerWorld : IDisposable
{
    private readonly RecordingApi _api = new();
    private readonly HttpClient _http;

    public ReconcilerWorld(int maxConcurrentRollouts = 10)
    {
        _http = new HttpClient(_api);
        var client = new KubeApiClient(_http, new Uri("http://api.test"));
        Informers = new OperatorInformers(client, [], new SecretDigest(Enumerable.Repeat((byte)7, 32).ToArray()), NullLoggerFactory.Instance);
        ProviderReferences.Register(Informers);
        AgentReferences.Register(Informers);
        ScheduleReferences.Register(Informers);
        var applier = new ResourceApplier(client);
        var statuses = new StatusWriter(applier);
        var events = new EventRecorder(client, time: Time);
        var children = new ChildWriter(applier, Informers, NullLogger.Instance);
        Pacer = new RolloutPacer(maxConcurrentRollouts, Time);
        Agents = new AgentReconciler(Informers, children, statuses, events, Pacer, OperatorOptions.Default, NullLogger<AgentReconciler>.Instance, Time);
        Providers = new ModelProviderReconciler(Informers, client, statuses, events, NullLogger<ModelProviderReconciler>.Instance, Time);
        Schedules = new ScheduleReconciler(Informers, children, statuses, applier, events, OperatorOptions.Default, NullLogger<ScheduleReconciler>.Instance, Time);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 2, 9, 0, 0, TimeSpan.Zero));

    public OperatorInformers Informers { get; }

    public RolloutPacer Pacer { get; }

    public AgentReconciler Agents { get; }

    public ModelProviderReconciler Providers { get; }

    public ScheduleReconciler Schedules { get; }

    /// <summary>The writes sent so far, in order.</summary>
    public IReadOnlyList<RecordedWrite> Writes => _api.Writes;

    /// <summary>Puts every object of the YAML documents into its cache (namespace team-a when none is given), with a uid.</summary>
    public ReconcilerWorld Given(params string[] yamlDocuments)
    {
        foreach (var yaml in yamlDocuments)
        {
            foreach (var document in YamlReader.ReadDocuments(yaml))
            {
                var metadata = (JsonObject)document["metadata"]!;
                metadata["namespace"] ??= "team-a";
                metadata["uid"] ??= "uid-" + (string)metadata["name"]!;
                metadata["generation"] ??= 1;
                metadata["resourceVersion"] ??= "1";
                Cache(document);
            }
        }

        return this;
    }

    /// <summary>
    /// Makes the API server hold an object the caches do not (one Drover does not manage): GETs of it answer with the
    /// YAML document (namespace team-a when none is given).
    /// </summary>
    public ReconcilerWorld OnServerOnly(string yaml)
    {
        foreach (var document in YamlReader.ReadDocuments(yaml))
        {
            var metadata = (JsonObject)document["metadata"]!;
            metadata["namespace"] ??= "team-a";
            metadata["uid"] ??= "uid-" + (string)metadata["name"]! + "-unmanaged";
            _api.Hold((JsonObject)document);
        }

        return this;
    }

    /// <summary>Makes the API server refuse (422) every apply of <paramref name="kind"/> <paramref name="name"/>, as it refuses an invalid object.</summary>
    public ReconcilerWorld RefusesApply(string kind, string name)
    {
        _api.Refuse(kind, name);
        return this;
    }

    /// <summary>Puts <paramref name="obj"/> into its cache as it is.</summary>
    public ReconcilerWorld Given(IKubernetesObject<V1ObjectMeta> obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        Cache(obj switch
        {
            Agent or ModelProvider or Schedule => KubeObjectJson.ToJson(obj),
            _ => ChildKinds.Of(obj).ToJson(obj),
        });
        return this;
    }

    /// <summary>Takes a ModelProvider out of the caches, as a watched delete would.</summary>
    public ReconcilerWorld Deleted(string provider, string ns = "team-a")
    {
        Informers.ModelProviders.Cache.Remove(new ObjectKey(ns, provider));
        return this;
    }

    public Task<ReconcileResult> ReconcileAgentAsync(string name) =>
        Agents.ReconcileAsync(new ReconcileRequest<Agent>(new ObjectKey("team-a", name), Informers.Agents.Cache.Get("team-a", name)), CancellationToken.None);

    public Task<ReconcileResult> ReconcileProviderAsync(string name) =>
        Providers.ReconcileAsync(new ReconcileRequest<ModelProvider>(new ObjectKey("team-a", name), Informers.ModelProviders.Cache.Get("team-a", name)), CancellationToken.None);

    public Task<ReconcileResult> ReconcileScheduleAsync(string name) =>
        Schedules.ReconcileAsync(new ReconcileRequest<Schedule>(new ObjectKey("team-a", name), Informers.Schedules.Cache.Get("team-a", name)), CancellationToken.None);

    /// <summary>"apply Deployment a", "delete Service a", "status Agent a", "event Warning ProviderNotFound Agent a": one line per write.</summary>
    public IReadOnlyList<string> WriteLines() => [.. Writes.Select(w => w.ToString())];

    /// <summary>The last status patch sent for <paramref name="kind"/> <paramref name="name"/>.</summary>
    public JsonNode Status(string kind, string name) =>
        Writes.Last(w => w.Verb == "status" && w.Kind == kind && w.Name == name).Body!["status"]!;

    /// <summary>The condition of <paramref name="type"/> in the last status patch of <paramref name="kind"/> <paramref name="name"/>.</summary>
    public (string Status, string Reason, string Message) Condition(string kind, string name, string type)
    {
        var condition = Status(kind, name)["conditions"]!.AsArray().Single(c => (string?)c!["type"] == type)!;
        return ((string)condition["status"]!, (string)condition["reason"]!, (string)condition["message"]!);
    }

    public void Dispose() => _http.Dispose();

    private void Cache(JsonNode document)
    {
        switch ((string?)document["kind"])
        {
            case "Agent": Put(Informers.Agents, OperatorKinds.Agents, document); break;
            case "ModelProvider": Put(Informers.ModelProviders, OperatorKinds.ModelProviders, document); break;
            case "Schedule": Put(Informers.Schedules, OperatorKinds.Schedules, document); break;
            case "Secret" when IsCredentials(document):
                Put(Informers.CredentialSecrets, OperatorKinds.Secrets, document);
                break;
            case "Secret": Put(Informers.Secrets, OperatorKinds.Secrets, document); break;
            case "Service": Put(Informers.OwnedServices, OperatorKinds.Services, document); break;
            case "Namespace": Put(Informers.Namespaces, OperatorKinds.Namespaces, document); break;
            case "ServiceAccount": Put(Informers.ServiceAccounts, OperatorKinds.ServiceAccounts, document); break;
            case "Deployment": Put(Informers.Deployments, OperatorKinds.Deployments, document); break;
            case "NetworkPolicy": Put(Informers.NetworkPolicies, OperatorKinds.NetworkPolicies, document); break;
            case "PersistentVolumeClaim": Put(Informers.Claims, OperatorKinds.PersistentVolumeClaims, document); break;
            case "CronJob": Put(Informers.CronJobs, OperatorKinds.CronJobs, document); break;
            default: throw new ArgumentException($"No cache holds {(string?)document["kind"]}.");
        }
    }

    private static bool IsCredentials(JsonNode secret) =>
        secret["metadata"]?["labels"] is JsonObject labels && (string?)labels[DroverLabels.ProviderCredentials] == DroverLabels.True;

    private static void Put<T>(ControllerRuntime.Informers.Informer<T> informer, ResourceKind<T> kind, JsonNode document)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        // Secrets written with stringData are cached as the API server stores them: in data.
        if (document["stringData"] is JsonObject text)
        {
            var data = document["data"] as JsonObject ?? [];
            foreach (var (key, value) in text)
            {
                data[key] = Convert.ToBase64String(Encoding.UTF8.GetBytes((string)value!));
            }

            document["data"] = data;
            ((JsonObject)document).Remove("stringData");
        }

        informer.Cache.Set(document.Deserialize(kind.TypeInfo)!);
    }

    /// <summary>One write the API server received.</summary>
    internal sealed record RecordedWrite(string Verb, string Kind, string Name, JsonNode? Body)
    {
        public override string ToString() => Verb == "event"
            ? $"event {(string?)Body?["type"]} {(string?)Body?["reason"]} {(string?)Body?["regarding"]?["kind"]} {(string?)Body?["regarding"]?["name"]}"
            : $"{Verb} {Kind} {Name}";
    }

    /// <summary>Answers every request as a real API server would answer a successful one, and records the writes.</summary>
    private sealed class RecordingApi : HttpMessageHandler
    {
        private static readonly Dictionary<string, string> Kinds = new(StringComparer.Ordinal)
        {
            ["agents"] = "Agent",
            ["modelproviders"] = "ModelProvider",
            ["schedules"] = "Schedule",
            ["secrets"] = "Secret",
            ["serviceaccounts"] = "ServiceAccount",
            ["deployments"] = "Deployment",
            ["services"] = "Service",
            ["networkpolicies"] = "NetworkPolicy",
            ["persistentvolumeclaims"] = "PersistentVolumeClaim",
            ["cronjobs"] = "CronJob",
            ["events"] = "Event",
        };

        private readonly Lock _lock = new();
        private readonly List<RecordedWrite> _writes = [];
        private readonly Dictionary<(string Kind, string Name), JsonObject> _held = [];

        private readonly HashSet<(string Kind, string Name)> _refused = [];

        public void Refuse(string kind, string name)
        {
            lock (_lock)
            {
                _refused.Add((kind, name));
            }
        }

        public void Hold(JsonObject obj)
        {
            lock (_lock)
            {
                _held[((string)obj["kind"]!, (string)obj["metadata"]!["name"]!)] = obj;
            }
        }

        public IReadOnlyList<RecordedWrite> Writes
        {
            get
            {
                lock (_lock)
                {
                    return [.. _writes];
                }
            }
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? null : JsonNode.Parse(await request.Content.ReadAsStringAsync(cancellationToken));
            var segments = request.RequestUri!.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
            var resourceAt = Array.FindLastIndex(segments, s => Kinds.ContainsKey(s));
            var kind = resourceAt < 0 ? "?" : Kinds[segments[resourceAt]];
            var name = resourceAt >= 0 && resourceAt + 1 < segments.Length ? segments[resourceAt + 1] : (string?)body?["metadata"]?["name"] ?? "";
            var isStatus = segments[^1] == "status";
            if (request.Method == HttpMethod.Get)
            {
                // Reads go to the caches; the server answers GETs only for what it holds outside them.
                JsonObject? held;
                lock (_lock)
                {
                    held = _held.GetValueOrDefault((kind, name));
                }

                return held is null
                    ? new HttpResponseMessage(HttpStatusCode.NotFound)
                    {
                        Content = new StringContent($$"""{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404,"message":"{{kind}} \"{{name}}\" not found"}""", Encoding.UTF8, "application/json"),
                    }
                    : new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(held.ToJsonString(), Encoding.UTF8, "application/json") };
            }

            var verb = request.Method.Method switch
            {
                "DELETE" => "delete",
                "POST" when kind == "Event" => "event",
                "POST" => "create",
                "PATCH" when isStatus => "status",
                "PATCH" when kind == "Event" => "event-series",
                "PATCH" when request.Content?.Headers.ContentType?.MediaType == "application/apply-patch+yaml" => "apply",
                "PATCH" => "patch",
                "PUT" => "update",
                _ => null,
            };
            if (verb is not null)
            {
                lock (_lock)
                {
                    _writes.Add(new RecordedWrite(verb, kind, name, body));
                }
            }

            bool refused;
            lock (_lock)
            {
                refused = verb == "apply" && _refused.Contains((kind, name));
            }

            if (refused)
            {
                return new HttpResponseMessage(HttpStatusCode.UnprocessableEntity)
                {
                    Content = new StringContent($$"""{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Invalid","code":422,"message":"{{kind}} \"{{name}}\" is invalid"}""", Encoding.UTF8, "application/json"),
                };
            }

            // The body sent is what the object becomes, which is all the reconcilers read back.
            var answer = body as JsonObject ?? new JsonObject { ["kind"] = "Status", ["apiVersion"] = "v1", ["status"] = "Success" };
            answer["metadata"] ??= new JsonObject();
            answer["metadata"]!["name"] ??= name;
            answer["metadata"]!["resourceVersion"] = "2";
            return new HttpResponseMessage(request.Method == HttpMethod.Post ? HttpStatusCode.Created : HttpStatusCode.OK)
            {
                Content = new StringContent(answer.ToJsonString(), Encoding.UTF8, "application/json"),
            };
        }
    }
}
