using System.Buffers;
using System.Globalization;
using System.Net.Http.Headers;
using Drover.Api.V1Alpha1;
using Drover.Gateway.Admission;
using Drover.Gateway.Configuration;
using Drover.Gateway.Hosting;
using Drover.Gateway.Telemetry;
using Drover.Gateway.Wire;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Drover.Gateway.Proxy;

/// <summary>
/// The gateway's request path: key → caller, body → model, model → the chain from that link on, budgets → a
/// reservation, then each link in turn under its provider's limits until one answers. An answer is relayed as it
/// arrives; once its first byte has gone to the caller there is no going back to another link.
/// </summary>
internal sealed class ModelProxy(
    GatewayDirectory directory,
    IAdmissionState state,
    IUsageObserver observer,
    HttpClient upstream,
    GatewayOptions options,
    TimeProvider time,
    ILogger<ModelProxy> logger)
{
    /// <summary>Input tokens a reservation assumes at most: body bytes ÷ 4, capped so an image-heavy request is not refused on size alone.</summary>
    public const long MaxInputEstimate = 16_384;

    // Headers the caller's SDK sends that change what the provider does; everything else stays behind, keys above all.
    private static readonly string[] ForwardedRequestHeaders = ["anthropic-version", "anthropic-beta", "openai-beta"];
    private static readonly string[] ForwardedResponseHeaders = ["x-request-id", "request-id", "openai-processing-ms"];

    public async Task ServeAsync(HttpContext context, ApiSurface surface)
    {
        ArgumentNullException.ThrowIfNull(context);
        var exchange = new Exchange(context, surface, time.GetTimestamp());
        GatewayMetrics.InFlight.Inc();
        try
        {
            await ServeCoreAsync(exchange, context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            exchange.Status = 499;
            exchange.ErrorType ??= "client_closed";
        }
        finally
        {
            GatewayMetrics.InFlight.Dec();
            Report(exchange);
        }
    }

    private async Task ServeCoreAsync(Exchange exchange, CancellationToken aborted)
    {
        var http = exchange.Context;
        if (Token(http.Request) is not { } token)
        {
            await FailAsync(exchange, GatewayError.Unauthorized("No gateway key: send the agent's key as \"Authorization: Bearer <key>\" or \"x-api-key: <key>\"."));
            return;
        }

        if (directory.Authenticate(token) is not { } caller)
        {
            await FailAsync(exchange, GatewayError.Unauthorized("The gateway key is not valid: it is unknown, was rotated or revoked, or its Agent or Schedule no longer exists."));
            return;
        }

        exchange.Caller = caller;
        var body = await ReadBodyAsync(http.Request, aborted);
        if (body is null)
        {
            await FailAsync(exchange, GatewayError.TooLarge(string.Create(CultureInfo.InvariantCulture, $"The request body is larger than the gateway accepts ({options.MaxRequestBytes} bytes).")));
            return;
        }

        using var request = ModelRequest.Parse(body.Value, exchange.Surface, out var problem);
        if (request is null)
        {
            await FailAsync(exchange, GatewayError.BadRequest(problem!));
            return;
        }

        exchange.RequestModel = request.Model;
        var chain = GatewayDirectory.Chain(caller);
        var start = FindLink(chain, request.Model);
        if (start < 0)
        {
            var allowed = directory.AllowedModels(caller);
            await FailAsync(exchange, GatewayError.Forbidden(
                $"Model \"{request.Model}\" is not in the model chain of agent {caller.Namespace}/{caller.AgentName}; it may use: {(allowed.Count == 0 ? "(none)" : string.Join(", ", allowed))}."));
            return;
        }

        var candidates = new List<(ChainLink Link, UpstreamTarget? Target, string? Problem)>();
        for (var i = start; i < chain.Count; i++)
        {
            var target = directory.Resolve(chain[i], caller, out var linkProblem);
            if (target is not null && !exchange.Surface.ServedBy(target.ProviderType))
            {
                linkProblem = $"ModelProvider {target.ProviderKey} ({target.ProviderType}) does not serve {http.Request.Path}";
                target = null;
            }

            candidates.Add((chain[i], target, linkProblem));
        }

        if (candidates.All(c => c.Target is null))
        {
            await FailAsync(exchange, GatewayError.Unavailable("No provider of this agent's chain can take the request: " + string.Join("; ", candidates.Select(c => c.Problem)) + "."));
            return;
        }

        var now = time.GetUtcNow();
        var windows = Windows(caller, now);
        var inputEstimate = Math.Min(request.BodyLength / 4, MaxInputEstimate);
        var outputReserve = exchange.Surface == ApiSurface.Embeddings ? 0 : request.MaxOutputTokens ?? options.DefaultMaxTokens;
        var estimate = new TokenCounts(inputEstimate, outputReserve, 0, 0);
        var reservation = new Reservation(estimate.Total, candidates.Max(c => Pricing.Cost(c.Target?.Pricing, estimate)));
        var decision = await state.ReserveAsync(windows, reservation, aborted);
        if (decision.Ticket is not { } ticket)
        {
            await RefuseForBudgetAsync(exchange, caller, decision.ExhaustedWindow!, now);
            return;
        }

        UsageCharge? charge = null;
        try
        {
            charge = await TryLinksAsync(exchange, request, candidates, estimate, aborted);
        }
        finally
        {
            charge ??= new UsageCharge(exchange.Provider, exchange.Model, default, 0m, false);
            var crossings = await state.SettleAsync(ticket, charge, CancellationToken.None);
            observer.Charged(caller, windows, crossings);
        }
    }

    private async Task<UsageCharge> TryLinksAsync(Exchange exchange, ModelRequest request, List<(ChainLink Link, UpstreamTarget? Target, string? Problem)> candidates, TokenCounts estimate, CancellationToken aborted)
    {
        var failures = new List<string>();
        TimeSpan? retryAfter = null;
        var onlyRateLimited = true;
        var onlyTimeouts = true;
        for (var i = 0; i < candidates.Count; i++)
        {
            var (link, target, problem) = candidates[i];
            if (i > 0)
            {
                exchange.Fallbacks++;
            }

            if (target is null)
            {
                failures.Add(problem!);
                onlyRateLimited = onlyTimeouts = false;
                PassOver(exchange, link.ProviderKey, link.Model ?? "", "unusable", problem!);
                continue;
            }

            var permit = await state.AcquireAsync(target.ProviderKey, target.Limits, estimate.Total, options.LimitWait, aborted);
            GatewayMetrics.LimitWait.WithLabels(target.ProviderKey, permit.Granted ? "granted" : "refused").Observe(permit.Waited.TotalSeconds);
            if (!permit.Granted)
            {
                var limit = permit.Refusal switch
                {
                    ProviderLimitReason.CoolingDown => "cooling down after asking callers to wait",
                    ProviderLimitReason.Concurrency => "at its maxConcurrentRequests",
                    ProviderLimitReason.RequestsPerMinute => "at its requestsPerMinute",
                    _ => "at its tokensPerMinute",
                };
                failures.Add($"{target.ProviderKey} is {limit}");
                onlyTimeouts = false;
                retryAfter = Earliest(retryAfter, permit.RetryAfter);
                PassOver(exchange, target.ProviderKey, target.Model, "limits", limit);
                continue;
            }

            var attempt = await SendAsync(exchange, target, request, estimate, aborted);
            await state.ReleaseAsync(permit, attempt.Charge?.Tokens.Total ?? 0, CancellationToken.None);
            if (attempt.Charge is { } charge)
            {
                return charge;
            }

            failures.Add(attempt.Failure!);
            onlyRateLimited &= attempt.RateLimited;
            onlyTimeouts &= attempt.TimedOut;
            if (attempt.RateLimited)
            {
                retryAfter = Earliest(retryAfter, attempt.RetryAfter);
            }

            PassOver(exchange, target.ProviderKey, target.Model, attempt.Reason, attempt.Failure!);
        }

        var summary = "Every provider of the chain failed: " + string.Join("; ", failures) + ".";
        var error = onlyRateLimited ? GatewayError.RateLimited(summary, retryAfter)
            : onlyTimeouts ? GatewayError.Timeout(summary)
            : GatewayError.BadGateway(summary);
        await FailAsync(exchange, error);
        return new UsageCharge(exchange.Provider, exchange.Model, default, 0m, false);
    }

    /// <summary>Sends to one link; relays the answer if it is one, else says why the next link should be tried.</summary>
    private async Task<Attempt> SendAsync(Exchange exchange, UpstreamTarget target, ModelRequest request, TokenCounts estimate, CancellationToken aborted)
    {
        exchange.Provider = target.ProviderKey;
        exchange.ProviderType = target.ProviderType;
        exchange.Model = target.Model;
        var askForUsage = request.Stream && exchange.Surface == ApiSurface.ChatCompletions && request.IncludeUsage != true;
        using var message = new HttpRequestMessage(HttpMethod.Post, exchange.Surface.UpstreamUrl(target.ProviderType, target.BaseUrl))
        {
            Content = new ByteArrayContent(request.Rewrite(target.Model, askForUsage)),
        };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(request.Stream ? "text/event-stream" : "application/json"));
        message.Headers.TryAddWithoutValidation("Accept-Encoding", "identity");
        foreach (var name in ForwardedRequestHeaders)
        {
            if (exchange.Context.Request.Headers.TryGetValue(name, out var value))
            {
                message.Headers.TryAddWithoutValidation(name, (IEnumerable<string>)value!);
            }
        }

        if (exchange.Surface == ApiSurface.Messages)
        {
            if (!message.Headers.Contains("anthropic-version"))
            {
                message.Headers.TryAddWithoutValidation("anthropic-version", "2023-06-01");
            }

            if (target.ApiKey is not null)
            {
                message.Headers.TryAddWithoutValidation("x-api-key", target.ApiKey);
            }
        }
        else if (target.ApiKey is not null)
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", target.ApiKey);
        }

        foreach (var (name, value) in target.Headers)
        {
            message.Headers.Remove(name);
            message.Headers.TryAddWithoutValidation(name, value);
        }

        var sent = time.GetTimestamp();
        using var firstByte = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        firstByte.CancelAfter(options.FirstByteTimeout);
        HttpResponseMessage response;
        try
        {
            response = await upstream.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, firstByte.Token);
        }
        catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
        {
            return Attempt.Failed($"{target.ProviderKey} sent no answer within {options.FirstByteTimeout.TotalSeconds:0.###}s", "timeout", timedOut: true);
        }
        catch (HttpRequestException e)
        {
            return Attempt.Failed($"{target.ProviderKey} could not be reached ({e.HttpRequestError}: {e.Message})", "connection");
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (status is 429 or 408 or 401 or 403 || status >= 500)
            {
                var wait = UpstreamHttp.RetryAfter(response, time.GetUtcNow());
                if (wait is { } cooldown)
                {
                    await state.CoolDownAsync(target.ProviderKey, time.GetUtcNow() + cooldown, CancellationToken.None);
                }

                GatewayMetrics.UpstreamDuration.WithLabels(target.ProviderKey, Code(status)).Observe(time.GetElapsedTime(sent).TotalSeconds);
                var what = status is 401 or 403 ? $"{target.ProviderKey} rejected the gateway's credentials ({status})" : $"{target.ProviderKey} answered {status}";
                return Attempt.Failed(what, Code(status), rateLimited: status == 429, retryAfter: wait);
            }

            var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
            try
            {
                Stream body;
                int read;
                try
                {
                    body = await response.Content.ReadAsStreamAsync(firstByte.Token);
                    read = await body.ReadAsync(buffer, firstByte.Token);
                }
                catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
                {
                    return Attempt.Failed($"{target.ProviderKey} sent no body within {options.FirstByteTimeout.TotalSeconds:0.###}s", "timeout", timedOut: true);
                }
                catch (Exception e) when (e is IOException or HttpRequestException)
                {
                    return Attempt.Failed($"{target.ProviderKey} broke off before its first byte ({e.Message})", "connection");
                }

                return new Attempt(await RelayAsync(exchange, target, response, body, buffer, read, askForUsage, estimate, sent, aborted), null, "", false, false, null);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>Sends the answer to the caller as it arrives, reading usage on the way. From here on there is no fallback.</summary>
    private async Task<UsageCharge> RelayAsync(
        Exchange exchange, UpstreamTarget target, HttpResponseMessage response, Stream body, byte[] buffer, int read, bool hideUsageChunk, TokenCounts estimate, long sent, CancellationToken aborted)
    {
        var http = exchange.Context;
        var status = (int)response.StatusCode;
        var succeeded = status is >= 200 and < 300;
        http.Response.StatusCode = status;
        exchange.Status = status;
        var contentType = response.Content.Headers.ContentType?.ToString();
        if (contentType is not null)
        {
            http.Response.ContentType = contentType;
        }

        foreach (var name in ForwardedResponseHeaders)
        {
            if (response.Headers.TryGetValues(name, out var values))
            {
                http.Response.Headers[name] = values.ToArray();
            }
        }

        var sse = contentType?.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase) == true;
        if (sse)
        {
            http.Response.Headers.CacheControl = "no-cache";
            http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        }

        GatewayMetrics.TimeToFirstByte.WithLabels(target.ProviderKey).Observe(time.GetElapsedTime(exchange.Started).TotalSeconds);
        var usage = new ResponseUsage(exchange.Surface, hideUsageChunk);
        var scanner = sse || !succeeded ? null : new JsonBodyScanner();
        var splitter = sse && succeeded ? new SseEventSplitter() : null;
        var broken = false;
        try
        {
            while (read > 0)
            {
                var chunk = buffer.AsMemory(0, read);
                if (splitter is not null)
                {
                    splitter.Append(chunk.Span);
                    while (splitter.TryNext(out var raw))
                    {
                        var (name, data) = SseEventSplitter.Fields(raw.Span);
                        if (usage.FromEvent(name, data))
                        {
                            await http.Response.Body.WriteAsync(raw, aborted);
                        }
                    }

                    await http.Response.Body.FlushAsync(aborted);
                }
                else
                {
                    scanner?.Feed(chunk.Span, final: false);
                    await http.Response.Body.WriteAsync(chunk, aborted);
                }

                read = await body.ReadAsync(buffer, aborted);
            }

            if (splitter is { Pending: > 0 })
            {
                await http.Response.Body.WriteAsync(splitter.Rest(), aborted);
            }

            scanner?.Feed([], final: true);
        }
        catch (Exception e) when (e is IOException or HttpRequestException && !aborted.IsCancellationRequested)
        {
            // The provider broke off mid-answer. The caller has part of it already, so no other link can take over:
            // the connection is cut so the caller's SDK reports an error instead of a silently short answer.
            broken = true;
            exchange.ErrorType = "upstream_broken";
            http.Abort();
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            exchange.Status = 499;
            exchange.ErrorType = "client_closed";
        }

        if (scanner is not null)
        {
            usage.FromJsonBody(scanner.Usage, scanner.Model);
        }

        GatewayMetrics.UpstreamDuration.WithLabels(target.ProviderKey, Code(status)).Observe(time.GetElapsedTime(sent).TotalSeconds);
        exchange.ResponseModel = usage.ResponseModel;
        succeeded = succeeded && !broken && !usage.StreamFailed && exchange.Status != 499;
        TokenCounts tokens;
        if (usage.Tokens is { } reported)
        {
            tokens = reported;
            exchange.UsageSource = "reported";
        }
        else if (status is >= 200 and < 300)
        {
            // An answer without usage (a stream cut short, a provider that does not report it) is charged what was
            // reserved for it, so breaking off a stream before its usage event cannot make tokens free.
            tokens = estimate;
            exchange.UsageSource = "reserved";
        }
        else
        {
            tokens = default;
        }

        if (!succeeded && exchange.ErrorType is null)
        {
            exchange.ErrorType = status is >= 200 and < 300 ? "stream_error" : Code(status);
        }

        exchange.Tokens = tokens;
        exchange.Cost = Pricing.Cost(target.Pricing, tokens);
        return new UsageCharge(target.ProviderKey, target.Model, tokens, exchange.Cost, succeeded);
    }

    private async Task RefuseForBudgetAsync(Exchange exchange, Caller caller, BudgetWindow window, DateTimeOffset now)
    {
        var spent = await state.ReadAsync(window.Bucket, window.Start, CancellationToken.None);
        var who = window.Bucket.Schedule is { } schedule ? $"schedule {caller.Namespace}/{schedule}" : $"agent {caller.Namespace}/{caller.AgentName}";
        var limits = new List<string>();
        if (window.TokenLimit is { } tokens)
        {
            limits.Add(string.Create(CultureInfo.InvariantCulture, $"{spent.Tokens.Total} of {tokens} tokens"));
        }

        if (window.CostLimit is { } cost)
        {
            limits.Add(string.Create(CultureInfo.InvariantCulture, $"${spent.Cost:0.####} of ${cost:0.####}"));
        }

        GatewayMetrics.BudgetRefusals.WithLabels(caller.Namespace, caller.AgentName, caller.ScheduleName ?? "").Inc();
        observer.Refused(caller, window, spent);
        exchange.ErrorType = "budget_exhausted";
        await FailAsync(exchange, GatewayError.BudgetExhausted(
            string.Create(CultureInfo.InvariantCulture, $"The daily budget of {who} is spent, counting requests in flight ({string.Join(", ", limits)}); it resets at {window.End.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}."),
            window.End - now));
    }

    private static async Task FailAsync(Exchange exchange, GatewayError error)
    {
        exchange.Status = error.Status;
        exchange.ErrorType ??= error.OpenAICode ?? error.OpenAIType;
        await error.WriteAsync(exchange.Context, exchange.AnthropicShape, exchange.RequestId);
    }

    private void PassOver(Exchange exchange, string provider, string model, string reason, string detail)
    {
        GatewayMetrics.Fallbacks.WithLabels(provider, reason).Inc();
        var caller = exchange.Caller!;
        GatewayLog.FellBack(logger, provider, model, caller.Namespace, caller.AgentName, detail);
    }

    private void Report(Exchange exchange)
    {
        var status = exchange.Status ?? exchange.Context.Response.StatusCode;
        var caller = exchange.Caller;
        var elapsed = time.GetElapsedTime(exchange.Started);
        var tokens = exchange.Tokens;
        GatewayMetrics.Requests.WithLabels(caller?.Namespace ?? "", caller?.AgentName ?? "", caller?.ScheduleName ?? "", exchange.Surface.Name(), exchange.Provider ?? "", Code(status)).Inc();
        if (caller is not null && exchange.Provider is { } provider && exchange.Model is { } model)
        {
            if (tokens.Total > 0)
            {
                GatewayMetrics.Tokens.WithLabels(caller.Namespace, caller.AgentName, provider, model, "input").Inc(tokens.Input);
                GatewayMetrics.Tokens.WithLabels(caller.Namespace, caller.AgentName, provider, model, "output").Inc(tokens.Output);
                GatewayMetrics.Tokens.WithLabels(caller.Namespace, caller.AgentName, provider, model, "cached_input").Inc(tokens.CachedInput);
                GatewayMetrics.Tokens.WithLabels(caller.Namespace, caller.AgentName, provider, model, "reasoning").Inc(tokens.Reasoning);
                GatewayMetrics.Cost.WithLabels(caller.Namespace, caller.AgentName, provider, model).Inc((double)exchange.Cost);
            }

            GenAiMetrics.Record(new GenAiOperation(
                exchange.Surface.OperationName(),
                GenAiMetrics.ProviderName(exchange.ProviderType),
                model,
                exchange.ResponseModel,
                caller.Namespace,
                caller.AgentName,
                caller.ScheduleName,
                elapsed,
                exchange.UsageSource == "none" ? null : tokens.Input,
                exchange.UsageSource == "none" ? null : tokens.Output,
                status is >= 200 and < 300 ? exchange.ErrorType : exchange.ErrorType ?? Code(status)));
        }

        GatewayLog.Request(
            logger,
            exchange.Context.Request.Method,
            exchange.Context.Request.Path.Value ?? "",
            status,
            caller?.Namespace,
            caller?.AgentName,
            caller?.ScheduleName,
            exchange.Provider,
            exchange.Model ?? exchange.RequestModel,
            tokens.Input,
            tokens.Output,
            tokens.CachedInput,
            tokens.Reasoning,
            exchange.Cost,
            (long)elapsed.TotalMilliseconds,
            exchange.Fallbacks,
            exchange.UsageSource,
            exchange.RequestId);
    }

    private int FindLink(IReadOnlyList<ChainLink> chain, string model)
    {
        for (var i = 0; i < chain.Count; i++)
        {
            var name = chain[i].Model ?? directory.View.Provider(chain[i].ProviderNamespace, chain[i].ProviderName)?.Spec.DefaultModel;
            if (name == model)
            {
                return i;
            }
        }

        return -1;
    }

    private static List<BudgetWindow> Windows(Caller caller, DateTimeOffset now)
    {
        var windows = new List<BudgetWindow>(2) { BudgetDays.Window(new BucketKey(caller.Namespace, caller.AgentName, null), caller.Agent.Spec.Budget, now) };
        if (caller.Schedule is { } schedule)
        {
            windows.Add(BudgetDays.Window(new BucketKey(caller.Namespace, caller.AgentName, schedule.Metadata.Name), schedule.Spec.Budget, now));
        }

        return windows;
    }

    /// <summary>The key from <c>Authorization: Bearer</c> (OpenAI SDKs) or <c>x-api-key</c> (Anthropic SDKs).</summary>
    internal static string? Token(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && authorization.Length > 7)
        {
            return authorization[7..].Trim();
        }

        var apiKey = request.Headers["x-api-key"].ToString().Trim();
        return apiKey.Length > 0 ? apiKey : null;
    }

    /// <summary>Reads the body up to the size limit; null when it is larger.</summary>
    private async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(HttpRequest request, CancellationToken aborted)
    {
        if (request.ContentLength > options.MaxRequestBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream(request.ContentLength is { } length ? (int)length : 4096);
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, aborted)) > 0)
            {
                if (buffer.Length + read > options.MaxRequestBytes)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    private static TimeSpan? Earliest(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a < b ? a : b;

    private static string Code(int status) => status.ToString(CultureInfo.InvariantCulture);

    /// <summary>How one link went: answered (a charge) or passed over (why, and whether it asked callers to wait).</summary>
    private sealed record Attempt(UsageCharge? Charge, string? Failure, string Reason, bool RateLimited, bool TimedOut, TimeSpan? RetryAfter)
    {
        public static Attempt Failed(string failure, string reason, bool rateLimited = false, bool timedOut = false, TimeSpan? retryAfter = null) =>
            new(null, failure, reason, rateLimited, timedOut, retryAfter);
    }
}
