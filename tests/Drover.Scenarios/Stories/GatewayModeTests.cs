using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Drover.Api.V1Alpha1;
using Drover.Gateway.Hosting;
using Drover.Operator.Children;
using Drover.Operator.Cluster;
using Drover.Operator.Gateway;
using Drover.Operator.Hosting;
using Drover.Scenarios.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Drover.Scenarios.Stories;

/// <summary>
/// The operator and the gateway on one dev cluster, as the chart installs them: a provider and its key in a platform
/// namespace, an agent in a team's. The agent's pods hold only their own gateway key, calls are counted in its status,
/// a spent budget says so, and a rotated provider key reaches the provider without rolling the agent.
/// </summary>
public sealed class GatewayModeTests(ITestOutputHelper output) : IAsyncLifetime, IDisposable
{
    private const string ProviderKey = "sk-upstream-first-0123456789";
    private readonly ChatUpstream _upstream = new();
    private OperatorScenario _scenario = null!;
    private WebApplication _gateway = null!;
    private Uri _gatewayUrl = null!;

    public async Task InitializeAsync()
    {
        _upstream.Start();
        _scenario = await OperatorScenario.CreateAsync(output);
        _gateway = GatewayCommand.Build(
            new GatewayOptions { Listen = "127.0.0.1:0", MetricsAddress = "", HealthAddress = "", LogFormat = "text", StatusInterval = TimeSpan.FromSeconds(1) },
            _scenario.Client,
            _ => null,
            logging => logging.ClearProviders());
        await _gateway.StartAsync();
        _gatewayUrl = new Uri($"http://127.0.0.1:{_gateway.Services.GetRequiredService<GatewayApplication.GatewayListeners>().ApiPort}");
    }

    public async Task DisposeAsync()
    {
        await _gateway.StopAsync();
        await _gateway.DisposeAsync();
        await _scenario.DisposeAsync();
    }

    public void Dispose() => _upstream.Dispose();

    [Fact]
    public async Task Agents_call_through_the_gateway_with_their_own_key_and_no_provider_key_reaches_their_namespace()
    {
        await _scenario.ApplyYamlAsync($$$"""
            apiVersion: v1
            kind: Namespace
            metadata: {name: models}
            ---
            apiVersion: v1
            kind: Namespace
            metadata:
              name: team-a
              labels: {drover.dev/models: allowed}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: openai-key, namespace: models, labels: {drover.dev/provider-credentials: "true"}}
            stringData: {api-key: {{{ProviderKey}}}}
            ---
            apiVersion: drover.dev/v1alpha1
            kind: ModelProvider
            metadata: {name: openai, namespace: models}
            spec:
              type: OpenAI
              endpoint: {{{_upstream.BaseAddress}}}v1
              apiKey: {secretKeyRef: {name: openai-key, key: api-key}}
              defaultModel: gpt-4o-mini
              allowedNamespaces:
                from: Selector
                selector:
                  matchLabels: {drover.dev/models: allowed}
            ---
            apiVersion: drover.dev/v1alpha1
            kind: Agent
            metadata: {name: writer, namespace: team-a}
            spec:
              image: ghcr.io/example/agent:1
              runOnce: {args: [agent, -m, "$(DROVER_PROMPT)"]}
              model: {providerRef: {name: openai, namespace: models}}
              budget: {tokensPerDay: 1000000}
            ---
            apiVersion: drover.dev/v1alpha1
            kind: Schedule
            metadata: {name: digest, namespace: team-a}
            spec: {agentRef: {name: writer}, schedule: "0 7 * * *", prompt: "Summarise the day."}
            """);
        await _scenario.StartOperatorAsync(new RunOptions { Workers = 2, Gateway = GatewayEndpoint.Parse(_gatewayUrl.ToString(), out _) });
        await _scenario.WaitForAgentAsync("writer", "True", "Available", "team-a");
        await _scenario.WaitForScheduleAsync("digest", "True", "Scheduled", "team-a");

        // Nothing in the team's namespace holds the provider key, in any encoding.
        var leaked = await ScanAsync("team-a", ProviderKey);
        Assert.True(leaked.Count == 0, "the provider key is in " + string.Join(", ", leaked));

        // The pod's key comes from its own Secret; the base URL is the gateway.
        var deployment = (await _scenario.GetAsync(OperatorKinds.Deployments, "writer", "team-a"))!;
        var env = deployment.Spec.Template.Spec.Containers.Single().Env;
        Assert.Equal(_gatewayUrl.ToString().TrimEnd('/') + "/v1", env.Single(e => e.Name == "OPENAI_BASE_URL").Value);
        Assert.Equal("writer-gateway", env.Single(e => e.Name == "OPENAI_API_KEY").ValueFrom.SecretKeyRef.Name);
        var token = await TokenAsync("writer-gateway");
        Assert.StartsWith(GatewayKey.TokenPrefix, token, StringComparison.Ordinal);
        var hashBefore = deployment.Spec.Template.Metadata.Annotations[ChildLabels.ConfigHashAnnotation];

        // A call as the runtime makes it: the provider sees its own key, never the agent's.
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await ChatAsync(http, env.Single(e => e.Name == "OPENAI_BASE_URL").Value, token)).StatusCode);
        Assert.Equal("Bearer " + ProviderKey, _upstream.LastAuthorization);
        Assert.DoesNotContain(_upstream.Authorizations, a => a.Contains(token, StringComparison.Ordinal));

        // The call is counted in the agent's status by the gateway; the operator's own writes keep it.
        var counted = await _scenario.WaitForAsync(OperatorKinds.Agents, "writer", a => a.Status?.Usage?.Requests >= 1, "status.usage to count the call", "team-a");
        Assert.Equal(ChatUpstream.TotalTokens, counted.Status!.Usage!.InputTokens + counted.Status.Usage.OutputTokens);
        await _scenario.ResyncAndSettleAsync();
        Assert.Equal(1, (await _scenario.GetAsync(OperatorKinds.Agents, "writer", "team-a"))!.Status!.Usage!.Requests);

        // A rotated provider key reaches the provider within seconds, and no agent rolls for it.
        await _scenario.ApplyYamlAsync("""
            apiVersion: v1
            kind: Secret
            metadata: {name: openai-key, namespace: models, labels: {drover.dev/provider-credentials: "true"}}
            stringData: {api-key: sk-upstream-second}
            """);
        await Eventually.TrueAsync(
            async () =>
            {
                await ChatAsync(http, env.Single(e => e.Name == "OPENAI_BASE_URL").Value, token);
                return _upstream.LastAuthorization == "Bearer sk-upstream-second";
            },
            "the rotated provider key to reach the provider");
        await _scenario.ResyncAndSettleAsync();
        var after = (await _scenario.GetAsync(OperatorKinds.Deployments, "writer", "team-a"))!;
        Assert.Equal(hashBefore, after.Spec.Template.Metadata.Annotations[ChildLabels.ConfigHashAnnotation]);
        Assert.Equal(deployment.Metadata.Generation, after.Metadata.Generation);

        // A budget the next call spends: the gateway refuses the one after, and status and a Warning Event say why.
        var calls = _upstream.Authorizations.Count;
        var spent = (await _scenario.WaitForAsync(OperatorKinds.Agents, "writer", a => a.Status?.Usage?.Requests == calls, "status.usage to count every call", "team-a")).Status!.Usage!;
        await _scenario.MergePatchAsync(OperatorKinds.Agents, "writer", "{\"spec\":{\"budget\":{\"tokensPerDay\":" + (spent.InputTokens + spent.OutputTokens + 10) + "}}}", "team-a");
        var view = ((KubernetesRuntime)_gateway.Services.GetRequiredService<GatewayServices>().Background!).View;
        await Eventually.TrueAsync(
            () => Task.FromResult(view.Agent("team-a", "writer")?.Spec.Budget?.TokensPerDay == spent.InputTokens + spent.OutputTokens + 10),
            "the gateway to see the new budget");
        // Admitted: it reserves only its max_tokens, which fit; what it really uses crosses the budget.
        Assert.Equal(HttpStatusCode.OK, (await ChatAsync(http, env.Single(e => e.Name == "OPENAI_BASE_URL").Value, token, maxTokens: 5)).StatusCode);
        var refused = await ChatAsync(http, env.Single(e => e.Name == "OPENAI_BASE_URL").Value, token);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        var exhausted = await _scenario.WaitForAsync(
            OperatorKinds.Agents,
            "writer",
            a => a.Status?.Conditions?.Any(c => c.Type == ConditionTypes.WithinBudget && c.Status == "False" && c.Reason == "BudgetExhausted") == true,
            "WithinBudget=False (BudgetExhausted)",
            "team-a");
        Assert.Contains(exhausted.Status!.Conditions!, c => c.Type == ConditionTypes.Ready && c.Status == "True");
        await Eventually.TrueAsync(async () => (await _scenario.WarningsAsync("writer", "BudgetExhausted", "team-a")).Count > 0, "a BudgetExhausted Warning Event");

        // The operator's next writes leave the gateway's condition alone.
        await _scenario.ResyncAndSettleAsync();
        Assert.Contains(
            (await _scenario.GetAsync(OperatorKinds.Agents, "writer", "team-a"))!.Status!.Conditions!,
            c => c.Type == ConditionTypes.WithinBudget && c.Status == "False");

        // The Schedule's runs have a key of their own, so their usage is counted per Schedule.
        var scheduleToken = await TokenAsync("digest-gateway");
        Assert.NotEqual(token, scheduleToken);
    }

    private static async Task<HttpResponseMessage> ChatAsync(HttpClient http, string baseUrl, string token, int maxTokens = 256)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, baseUrl + "/chat/completions")
        {
            Content = new StringContent("""{"model":"gpt-4o-mini","max_tokens":MAX,"messages":[{"role":"user","content":"hi"}]}""".Replace("MAX", maxTokens.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request);
    }

    private async Task<string> TokenAsync(string secret)
    {
        var live = await _scenario.GetAsync(OperatorKinds.Secrets, secret, "team-a");
        Assert.NotNull(live);
        return Encoding.UTF8.GetString(live.Data["token"]);
    }

    /// <summary>Where in <paramref name="ns"/> the value appears: every Secret, ConfigMap and pod template, decoded.</summary>
    private async Task<List<string>> ScanAsync(string ns, string value)
    {
        var base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(value));
        var found = new List<string>();
        foreach (var path in new[] { "/api/v1/namespaces/{0}/secrets", "/api/v1/namespaces/{0}/configmaps", "/apis/apps/v1/namespaces/{0}/deployments", "/apis/batch/v1/namespaces/{0}/cronjobs", "/api/v1/namespaces/{0}/pods" })
        {
            var list = await _scenario.Client.SendJsonAsync(HttpMethod.Get, string.Format(System.Globalization.CultureInfo.InvariantCulture, path, ns), null, "application/json", CancellationToken.None);
            foreach (var item in list?["items"]?.AsArray() ?? [])
            {
                var text = item!.ToJsonString();
                var decoded = string.Concat((item["data"] as JsonObject ?? []).Select(p => TryDecode((string?)p.Value)));
                if (text.Contains(value, StringComparison.Ordinal) || text.Contains(base64, StringComparison.Ordinal) || decoded.Contains(value, StringComparison.Ordinal))
                {
                    found.Add($"{item["kind"] ?? path} {item["metadata"]?["name"]}");
                }
            }
        }

        return found;
    }

    private static string TryDecode(string? text)
    {
        try
        {
            return text is null ? "" : Encoding.UTF8.GetString(Convert.FromBase64String(text));
        }
        catch (FormatException)
        {
            return text ?? "";
        }
    }

    /// <summary>A provider speaking OpenAI's chat completions, recording the credentials it is sent.</summary>
    private sealed class ChatUpstream : IDisposable
    {
        public const int TotalTokens = 30;
        private readonly HttpListener _listener = new();
        private readonly List<string> _authorizations = [];

        public Uri BaseAddress { get; private set; } = null!;

        public string? LastAuthorization
        {
            get
            {
                lock (_authorizations)
                {
                    return _authorizations.Count == 0 ? null : _authorizations[^1];
                }
            }
        }

        public IReadOnlyList<string> Authorizations
        {
            get
            {
                lock (_authorizations)
                {
                    return [.. _authorizations];
                }
            }
        }

        public void Start()
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            BaseAddress = new Uri($"http://127.0.0.1:{port}/");
            _listener.Prefixes.Add(BaseAddress.ToString());
            _listener.Start();
            _ = Task.Run(ServeAsync);
        }

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                lock (_authorizations)
                {
                    _authorizations.Add(context.Request.Headers["Authorization"] ?? "");
                }

                var body = Encoding.UTF8.GetBytes("""
                    {"id":"chatcmpl-1","object":"chat.completion","created":1764633600,"model":"gpt-4o-mini-2024-07-18",
                     "choices":[{"index":0,"message":{"role":"assistant","content":"hello"},"finish_reason":"stop"}],
                     "usage":{"prompt_tokens":20,"completion_tokens":10,"total_tokens":30}}
                    """);
                context.Response.ContentType = "application/json";
                context.Response.ContentLength64 = body.Length;
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
        }

        public void Dispose() => _listener.Close();
    }
}
