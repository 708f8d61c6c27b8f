using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Drover.ControllerRuntime.Tests.Apply;

/// <summary>Records every request and answers writes by echoing the body back, as an API server would return the object.</summary>
public sealed class RecordingHandler : HttpMessageHandler
{
    public List<(HttpMethod Method, string PathAndQuery, string? ContentType, JsonNode? Body)> Requests { get; } = [];

    /// <summary>When it returns a status for a request, that request is answered with it (and a Status body) instead.</summary>
    public Func<HttpMethod, string, HttpStatusCode?>? Refuse { get; set; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var text = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var body = string.IsNullOrEmpty(text) ? null : JsonNode.Parse(text);
        lock (Requests)
        {
            Requests.Add((request.Method, request.RequestUri!.PathAndQuery, request.Content?.Headers.ContentType?.MediaType, body));
        }

        if (Refuse?.Invoke(request.Method, request.RequestUri!.AbsolutePath) is { } status)
        {
            return new HttpResponseMessage(status)
            {
                Content = new StringContent($$"""{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"{{status}}","code":{{(int)status}}}""", Encoding.UTF8, "application/json"),
            };
        }

        var answer = body is JsonObject o && o.ContainsKey("metadata") ? o.ToJsonString() : """{"metadata":{"name":"x"}}""";
        return new HttpResponseMessage(request.Method == HttpMethod.Post ? HttpStatusCode.Created : HttpStatusCode.OK)
        {
            Content = new StringContent(answer, Encoding.UTF8, "application/json"),
        };
    }
}
