using System.Text.Json.Nodes;
using Drover.DevCluster.Protocol;
using Drover.DevCluster.Storage;
using Drover.DevCluster.Writes;

namespace Drover.DevCluster.Controllers.Workloads;

/// <summary>
/// A default dynamic provisioner with immediate binding: each PersistentVolumeClaim gets a PersistentVolume
/// <c>pvc-&lt;uid&gt;</c> of the requested size (reclaimPolicy Delete) and is Bound to it; when the claim goes, a
/// Delete volume goes with it and a Retain volume is Released.
/// </summary>
internal sealed class VolumeProvisioner
{
    public const string Provisioner = "dev-cluster.drover.dev/hostpath";
    public const string DefaultStorageClass = "standard";
    private readonly WorkloadContext _context;

    public VolumeProvisioner(WorkloadContext context) => _context = context;

    public bool SyncClaim(ObjectKey key)
    {
        var claim = _context.Get(key);
        if (claim is null || claim.Metadata["deletionTimestamp"] is not null || Json.String(claim.Object, "status", "phase") == "Bound")
        {
            return false;
        }

        var storageClass = Json.String(claim.Object, "spec", "storageClassName");
        var size = Json.At(claim.Object, "spec", "resources", "requests", "storage")?.DeepClone();
        if (storageClass == string.Empty || size is null || Json.String(claim.Object, "spec", "volumeName") is { Length: > 0 })
        {
            // Static binding (an empty class or a named volume) or a claim without a size: nothing to provision.
            return WritePending(claim);
        }

        var accessModes = Json.At(claim.Object, "spec", "accessModes")?.DeepClone() ?? new JsonArray("ReadWriteOnce");
        var volumeName = "pvc-" + claim.Uid;
        var volume = _context.Store.Get(_context.Volumes.StorageKey, string.Empty, volumeName);
        if (volume is null)
        {
            var body = new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["name"] = volumeName,
                    ["annotations"] = new JsonObject { ["pv.kubernetes.io/provisioned-by"] = Provisioner },
                },
                ["spec"] = new JsonObject
                {
                    ["accessModes"] = accessModes.DeepClone(),
                    ["capacity"] = new JsonObject { ["storage"] = size.DeepClone() },
                    ["claimRef"] = new JsonObject
                    {
                        ["apiVersion"] = "v1",
                        ["kind"] = "PersistentVolumeClaim",
                        ["name"] = claim.Name,
                        ["namespace"] = claim.Namespace,
                        ["uid"] = claim.Uid,
                        ["resourceVersion"] = claim.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    },
                    ["hostPath"] = new JsonObject { ["path"] = $"/var/lib/dev-cluster/volumes/{volumeName}", ["type"] = "DirectoryOrCreate" },
                    ["persistentVolumeReclaimPolicy"] = "Delete",
                    ["storageClassName"] = storageClass ?? DefaultStorageClass,
                    ["volumeMode"] = Json.String(claim.Object, "spec", "volumeMode") ?? "Filesystem",
                },
            };
            try
            {
                volume = _context.Operations.Create(_context.Volumes, string.Empty, body, WriteOptions.Simulated("persistentvolume-binder-controller")).Object;
            }
            catch (ApiException)
            {
                return false;
            }
        }

        if (Json.String(volume.Object, "status", "phase") != "Bound")
        {
            var boundVolume = volume.Clone();
            boundVolume["status"] = new JsonObject { ["phase"] = "Bound" };
            _context.Operations.ReplaceInternal(_context.Volumes, volume, boundVolume);
        }

        var next = claim.Clone();
        var metadata = Json.Metadata(next);
        var annotations = metadata["annotations"] as JsonObject ?? [];
        annotations["pv.kubernetes.io/bind-completed"] = "yes";
        annotations["pv.kubernetes.io/bound-by-controller"] = "yes";
        annotations["volume.beta.kubernetes.io/storage-provisioner"] = Provisioner;
        annotations["volume.kubernetes.io/storage-provisioner"] = Provisioner;
        metadata["annotations"] = annotations;
        var spec = next["spec"] as JsonObject ?? [];
        spec["volumeName"] = volumeName;
        next["spec"] = spec;
        next["status"] = new JsonObject
        {
            ["phase"] = "Bound",
            ["accessModes"] = accessModes.DeepClone(),
            ["capacity"] = new JsonObject { ["storage"] = size.DeepClone() },
        };
        if (_context.Operations.ReplaceInternal(_context.Claims, claim, next) is null)
        {
            _context.Queue.Add(key);
        }

        return true;
    }

    /// <summary>A volume whose claim is gone is deleted (Delete) or Released (Retain, Recycle).</summary>
    public bool SyncVolume(ObjectKey key)
    {
        var volume = _context.Get(key);
        if (volume is null || volume.Metadata["deletionTimestamp"] is not null || Json.At(volume.Object, "spec", "claimRef") is not JsonObject claimRef)
        {
            return false;
        }

        var claim = _context.Store.Get(_context.Claims.StorageKey, Json.String(claimRef, "namespace") ?? string.Empty, Json.String(claimRef, "name") ?? string.Empty);
        if (claim is not null && claim.Uid == Json.String(claimRef, "uid"))
        {
            return false;
        }

        if (Json.String(volume.Object, "spec", "persistentVolumeReclaimPolicy") == "Delete")
        {
            try
            {
                _context.Operations.Delete(_context.Volumes, string.Empty, volume.Name, new DeleteRequest { PreconditionUid = volume.Uid });
                return true;
            }
            catch (ApiException e) when (e.Code is 404 or 409)
            {
                return false;
            }
        }

        if (Json.String(volume.Object, "status", "phase") == "Released")
        {
            return false;
        }

        var next = volume.Clone();
        next["status"] = new JsonObject { ["phase"] = "Released" };
        return _context.Operations.ReplaceInternal(_context.Volumes, volume, next) is not null;
    }

    private bool WritePending(StoredObject claim)
    {
        if (Json.String(claim.Object, "status", "phase") == "Pending")
        {
            return false;
        }

        var next = claim.Clone();
        next["status"] = new JsonObject { ["phase"] = "Pending" };
        return _context.Operations.ReplaceInternal(_context.Claims, claim, next) is not null;
    }
}
