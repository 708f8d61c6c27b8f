namespace Drover.DevCluster.TestControls;

/// <summary>
/// Images the simulated kubelet treats specially, so a test can meet what real images do on a real node. An image
/// not named here pulls, runs as a numeric non-root user, and (when its pod's restartPolicy is not Always) exits 0
/// after the rollout delay. An entry names an image exactly (<c>busybox:1.36</c>) or, without tag and digest, every
/// tag of a repository (<c>busybox</c>). Safe to change while the cluster runs: the kubelet reads it whenever it
/// (re)tries to start a container.
/// </summary>
public sealed class SimulatedImages
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ImageBehavior> _images = new(StringComparer.Ordinal);

    /// <summary>Images whose user is root (uid 0, or no USER at all): <c>runAsNonRoot</c> without <c>runAsUser</c> stops them.</summary>
    public SimulatedImages RunAsRoot(params string[] images) => Set(images, b => b with { User = "0" });

    /// <summary>Images whose USER is a name such as <c>nobody</c>, which <c>runAsNonRoot</c> cannot verify either.</summary>
    public SimulatedImages RunAsUserName(string user, params string[] images)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        return Set(images, b => b with { User = user });
    }

    /// <summary>Images that cannot be pulled: ErrImagePull, then ImagePullBackOff.</summary>
    public SimulatedImages FailPull(params string[] images) => Set(images, b => b with { PullFails = true });

    /// <summary>Images whose process exits 1 as soon as it starts: CrashLoopBackOff, or a failed pod under restartPolicy Never.</summary>
    public SimulatedImages Crash(params string[] images) => Set(images, b => b with { Crashes = true });

    /// <summary>Images whose process never exits by itself: a Job's pod stays Running.</summary>
    public SimulatedImages NeverFinish(params string[] images) => Set(images, b => b with { NeverFinishes = true });

    /// <summary>Forgets everything said about <paramref name="images"/>: they behave as ordinary images again.</summary>
    public SimulatedImages Reset(params string[] images)
    {
        ArgumentNullException.ThrowIfNull(images);
        lock (_gate)
        {
            foreach (var image in images)
            {
                _images.Remove(image);
            }
        }

        return this;
    }

    /// <summary>How <paramref name="image"/> behaves: the exact entry if there is one, else its repository's.</summary>
    internal ImageBehavior Resolve(string? image)
    {
        if (string.IsNullOrEmpty(image))
        {
            return ImageBehavior.Ordinary;
        }

        lock (_gate)
        {
            return _images.TryGetValue(image, out var exact) ? exact
                : _images.TryGetValue(Repository(image), out var repository) ? repository
                : ImageBehavior.Ordinary;
        }
    }

    /// <summary>The image without its tag or digest: <c>ghcr.io/a/b:1@sha256:..</c> → <c>ghcr.io/a/b</c>.</summary>
    internal static string Repository(string image)
    {
        var at = image.IndexOf('@', StringComparison.Ordinal);
        var name = at < 0 ? image : image[..at];
        var slash = name.LastIndexOf('/');
        var colon = name.LastIndexOf(':');
        return colon > slash ? name[..colon] : name;
    }

    private SimulatedImages Set(string[] images, Func<ImageBehavior, ImageBehavior> change)
    {
        ArgumentNullException.ThrowIfNull(images);
        lock (_gate)
        {
            foreach (var image in images)
            {
                ArgumentException.ThrowIfNullOrWhiteSpace(image);
                _images[image] = change(_images.GetValueOrDefault(image, ImageBehavior.Ordinary));
            }
        }

        return this;
    }
}

/// <summary>What the simulated kubelet does with one image.</summary>
/// <param name="User">The image's USER: null for a numeric non-root user, <c>0</c> for root, or a user name.</param>
/// <param name="PullFails">Every pull fails.</param>
/// <param name="Crashes">The process exits 1 at once.</param>
/// <param name="NeverFinishes">The process never exits by itself.</param>
internal readonly record struct ImageBehavior(string? User, bool PullFails, bool Crashes, bool NeverFinishes)
{
    public static ImageBehavior Ordinary => default;
}
