using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Drover.DevCluster.Protocol;
using Drover.DevCluster.TestControls;

namespace Drover.DevCluster.Controllers.Workloads;

/// <summary>
/// One container as the simulated kubelet runs it: created, then pulled and started (or stuck in ErrImagePull,
/// ImagePullBackOff, CreateContainerConfigError), running, crashing into CrashLoopBackOff, or finished. Advances
/// only at the times it scheduled, so the status it renders is stable between steps.
/// </summary>
internal sealed class ContainerRun
{
    private readonly PodRun _pod;
    private readonly JsonObject _spec;
    private int _pullFailures;
    private string? _containerId;
    private DateTimeOffset? _startedAt;
    private DateTimeOffset? _finishedAt;
    private int _exitCode;
    private JsonObject? _lastTerminated;

    public ContainerRun(PodRun pod, JsonObject spec, DateTimeOffset startAt)
    {
        _pod = pod;
        _spec = spec;
        Name = Json.String(spec, "name") ?? string.Empty;
        Image = Json.String(spec, "image") ?? string.Empty;
        NextAt = startAt;
    }

    public string Name { get; }

    public string Image { get; }

    public ContainerState State { get; private set; } = ContainerState.Creating;

    public string? Reason { get; private set; }

    public string? Message { get; private set; }

    public int RestartCount { get; private set; }

    /// <summary>When this container changes next by itself; null when it stays as it is.</summary>
    public DateTimeOffset? NextAt { get; private set; }

    public bool Ready => State == ContainerState.Running;

    public bool HasRun => _startedAt is not null;

    public int ExitCode => _exitCode;

    /// <summary>Takes every step that is due by <paramref name="now"/>, each at the time it was due.</summary>
    public void Advance(DateTimeOffset now, PodEvents events)
    {
        while (NextAt is { } at && at <= now)
        {
            NextAt = null;
            Step(at, events);
        }
    }

    public JsonObject Render(bool init)
    {
        var status = new JsonObject { ["name"] = Name };
        JsonObject state;
        switch (State)
        {
            case ContainerState.Running:
                state = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = KubeTime.Format(_startedAt!.Value) } };
                break;
            case ContainerState.Terminated:
                state = new JsonObject { ["terminated"] = Terminated(_exitCode, Reason!, _startedAt!.Value, _finishedAt!.Value) };
                break;
            default:
                var waiting = new JsonObject { ["reason"] = Reason ?? "ContainerCreating" };
                if (Message is not null)
                {
                    waiting["message"] = Message;
                }

                state = new JsonObject { ["waiting"] = waiting };
                break;
        }

        status["state"] = state;
        status["lastState"] = _lastTerminated is null ? new JsonObject() : new JsonObject { ["terminated"] = _lastTerminated.DeepClone() };
        status["ready"] = init ? State == ContainerState.Terminated && _exitCode == 0 : Ready;
        status["restartCount"] = RestartCount;
        var started = HasRun && State is ContainerState.Running;
        status["image"] = started || State == ContainerState.Terminated ? ImageReference.Normalize(Image) : Image;
        status["imageID"] = HasRun ? ImageReference.Id(Image) : string.Empty;
        if (_containerId is not null)
        {
            status["containerID"] = _containerId;
        }

        if (!init)
        {
            status["started"] = started;
        }

        return status;
    }

    private void Step(DateTimeOffset at, PodEvents events)
    {
        switch (State, Reason)
        {
            case (ContainerState.Creating, _):
            case (ContainerState.Waiting, "ImagePullBackOff" or "CreateContainerConfigError" or "CrashLoopBackOff"):
                Start(at, events);
                break;
            case (ContainerState.Waiting, "ErrImagePull"):
                var pullError = Message;
                Wait("ImagePullBackOff", $"Back-off pulling image \"{Image}\": ErrImagePull: {pullError}");
                NextAt = at + _pod.BackOffAfter(_pullFailures);
                events.Normal("BackOff", $"Back-off pulling image \"{Image}\"");
                break;
            case (ContainerState.Running, _):
                Finish(at, 0, "Completed");
                break;
        }
    }

    private void Start(DateTimeOffset at, PodEvents events)
    {
        var behavior = _pod.Images.Resolve(Image);
        if (behavior.PullFails)
        {
            _pullFailures++;
            var reference = ImageReference.Normalize(Image);
            var error = $"rpc error: code = NotFound desc = failed to pull and unpack image \"{reference}\": failed to resolve reference \"{reference}\": {reference}: not found";
            Wait("ErrImagePull", error);
            NextAt = at + _pod.StartDelay;
            events.Warning("Failed", $"Failed to pull image \"{Image}\": {error}");
            events.Warning("Failed", "Error: ErrImagePull");
            return;
        }

        if (NonRootViolation(behavior) is { } violation)
        {
            Wait("CreateContainerConfigError", violation);
            NextAt = at + _pod.BackOff;
            events.Warning("Failed", $"Error: {violation}");
            return;
        }

        _containerId = "containerd://" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        _startedAt = at;
        if (behavior.Crashes)
        {
            Crash(at, events);
            return;
        }

        State = ContainerState.Running;
        Reason = null;
        Message = null;
        if (_pod.RestartPolicy != "Always" && !behavior.NeverFinishes)
        {
            NextAt = at + _pod.StartDelay;
        }
    }

    private void Crash(DateTimeOffset at, PodEvents events)
    {
        if (_pod.RestartPolicy == "Never")
        {
            Finish(at, 1, "Error");
            return;
        }

        RestartCount++;
        _lastTerminated = Terminated(1, "Error", at, at);
        var backOff = _pod.BackOffAfter(RestartCount);
        Wait("CrashLoopBackOff", $"back-off {GoDuration.Format(backOff)} restarting failed container={Name} pod={_pod.Identity}");
        NextAt = at + backOff;
        events.Warning("BackOff", $"Back-off restarting failed container {Name} in pod {_pod.Identity}");
    }

    private void Finish(DateTimeOffset at, int exitCode, string reason)
    {
        State = ContainerState.Terminated;
        Reason = reason;
        Message = null;
        _exitCode = exitCode;
        _finishedAt = at;
        _startedAt ??= at;
    }

    private void Wait(string reason, string message)
    {
        State = ContainerState.Waiting;
        Reason = reason;
        Message = message;
    }

    private JsonObject Terminated(int exitCode, string reason, DateTimeOffset startedAt, DateTimeOffset finishedAt)
    {
        var terminated = new JsonObject { ["exitCode"] = exitCode, ["reason"] = reason, ["startedAt"] = KubeTime.Format(startedAt), ["finishedAt"] = KubeTime.Format(finishedAt) };
        if (_containerId is not null)
        {
            terminated["containerID"] = _containerId;
        }

        return terminated;
    }

    /// <summary>The kubelet's runAsNonRoot check against the image's user (verifyRunAsNonRoot), or null when it passes.</summary>
    private string? NonRootViolation(ImageBehavior behavior)
    {
        var own = _spec["securityContext"] as JsonObject;
        var pod = _pod.SecurityContext;
        var nonRoot = Json.At(own, "runAsNonRoot") ?? Json.At(pod, "runAsNonRoot");
        if (nonRoot is not JsonValue flag || !flag.TryGetValue<bool>(out var required) || !required)
        {
            return null;
        }

        var where = $"(pod: \"{_pod.Identity}\", container: {Name})";
        if ((Json.Integer(own, "runAsUser") ?? Json.Integer(pod, "runAsUser")) is { } uid)
        {
            return uid == 0 ? $"container's runAsUser breaks non-root policy {where}" : null;
        }

        return behavior.User switch
        {
            null => null,
            "0" => $"container has runAsNonRoot and image will run as root {where}",
            var user when long.TryParse(user, out var numeric) => numeric == 0 ? $"container has runAsNonRoot and image will run as root {where}" : null,
            var user => $"container has runAsNonRoot and image has non-numeric user ({user}), cannot verify user is non-root {where}",
        };
    }
}

internal enum ContainerState
{
    Creating,
    Waiting,
    Running,
    Terminated,
}

/// <summary>Image references as the container runtime reports them.</summary>
internal static class ImageReference
{
    /// <summary>The fully qualified reference: <c>nginx</c> → <c>docker.io/library/nginx:latest</c>.</summary>
    public static string Normalize(string image)
    {
        var slash = image.IndexOf('/', StringComparison.Ordinal);
        var first = slash < 0 ? string.Empty : image[..slash];
        var qualified = slash < 0 ? "docker.io/library/" + image
            : first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost" ? image
            : "docker.io/" + image;
        var lastSlash = qualified.LastIndexOf('/');
        return qualified.Contains('@', StringComparison.Ordinal) || qualified.LastIndexOf(':') > lastSlash ? qualified : qualified + ":latest";
    }

    /// <summary>A stable digest reference for the image, as <c>imageID</c> shows one.</summary>
    public static string Id(string image)
    {
        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Normalize(image))));
        return $"{SimulatedImages.Repository(Normalize(image))}@sha256:{digest}";
    }
}
