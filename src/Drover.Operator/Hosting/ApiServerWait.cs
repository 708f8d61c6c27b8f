using System.Globalization;
using System.Text.Json;
using Drover.ControllerRuntime.Client;

namespace Drover.Operator.Hosting;

/// <summary>
/// The first contact of <c>drover run</c> with the API server: it asks for <c>/version</c> until an answer comes, says
/// in one line per attempt why there was none (no stack traces), and gives up after <c>--startup-timeout</c>. Any HTTP
/// answer below 500 counts as reached: a server that refuses the credentials is there, and the informers report what
/// it says. Once reached, the informers' own reconnecting takes over.
/// </summary>
internal static class ApiServerWait
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(8);
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(5);

    /// <param name="client">The client built from the kubeconfig.</param>
    /// <param name="timeout">How long to keep trying; zero keeps trying until <paramref name="cancellationToken"/> is cancelled.</param>
    /// <param name="error">Where each failed attempt is reported.</param>
    /// <param name="time">The clock.</param>
    /// <param name="cancellationToken">Cancelled when the process is asked to stop.</param>
    /// <returns>True once the server answered; false when the timeout passed first or the wait was cancelled.</returns>
    public static async Task<bool> WaitAsync(KubeApiClient client, TimeSpan timeout, TextWriter error, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(time);
        var server = client.BaseAddress.GetLeftPart(UriPartial.Authority);
        var started = time.GetTimestamp();
        var delay = FirstDelay;
        while (true)
        {
            var problem = await TryOnceAsync(client, cancellationToken);
            if (problem is null)
            {
                return true;
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return false;
            }

            var left = timeout - time.GetElapsedTime(started);
            if (timeout > TimeSpan.Zero && left <= TimeSpan.Zero)
            {
                await error.WriteLineAsync(
                    $"drover run: the API server at {server} did not answer within {Format(timeout)} ({problem}); giving up. "
                    + "Check that the cluster runs and that the kubeconfig names it, or wait longer with --startup-timeout (DROVER_STARTUP_TIMEOUT, 0 waits forever).");
                return false;
            }

            // The last attempt comes at the deadline, so the wait is as long as asked and no longer.
            var wait = timeout > TimeSpan.Zero && left < delay ? left : delay;
            await error.WriteLineAsync($"drover run: cannot reach the API server at {server}: {problem}; retrying in {Format(wait)}");
            try
            {
                await Task.Delay(wait, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return false;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
        }
    }

    /// <returns>Null when the server answered, else why not, in a few words.</returns>
    private static async Task<string?> TryOnceAsync(KubeApiClient client, CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(AttemptTimeout);
        try
        {
            await client.SendJsonAsync(HttpMethod.Get, "/version", null, "application/json", attempt.Token);
            return null;
        }
        catch (KubeApiException e) when ((int)e.StatusCode is > 0 and < 500)
        {
            return null;
        }
        catch (KubeApiException e)
        {
            return string.Create(CultureInfo.InvariantCulture, $"it answered {(int)e.StatusCode} {e.StatusCode}");
        }
        catch (JsonException)
        {
            return "it answered /version with something that is not JSON; is it a Kubernetes API server?";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"no answer within {Format(AttemptTimeout)}";
        }
        catch (OperationCanceledException)
        {
            return "stopped";
        }
        catch (Exception e) when (e is HttpRequestException or IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            return Describe(e);
        }
    }

    // "The SSL connection could not be established, see inner exception." says less than the inner exception.
    private static string Describe(Exception e)
    {
        var messages = new List<string>();
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            var message = current.Message.TrimEnd('.');
            if (!message.Contains("inner exception", StringComparison.OrdinalIgnoreCase) && !messages.Any(m => m.Contains(message, StringComparison.Ordinal)))
            {
                messages.Add(message);
            }
        }

        return messages.Count == 0 ? e.GetType().Name : string.Join(": ", messages);
    }

    private static string Format(TimeSpan span) => span.TotalSeconds >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.#}s")
        : string.Create(CultureInfo.InvariantCulture, $"{span.TotalMilliseconds:0}ms");
}
