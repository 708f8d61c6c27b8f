using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Drover.DevCluster.Protocol;
using Drover.DevCluster.Resources;
using Drover.DevCluster.Services;
using Drover.DevCluster.Storage;

namespace Drover.DevCluster.Writes;

/// <summary>
/// The API server's write semantics on top of the store: system fields, optimistic concurrency,
/// generation, status isolation, schema admission, finalizers, no-op detection.
/// Used both by HTTP requests and by the server's own controllers.
/// </summary>
public sealed partial class ResourceOperations
{
    private const int PatchRetries = 16;
    private const string GenerateNameAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    private readonly ObjectStore _store;
    private readonly TimeProvider _time;

    public ResourceOperations(ObjectStore store, ResourceCatalog catalog, TimeProvider time)
    {
        _store = store;
        Catalog = catalog;
        _time = time;
    }

    public ResourceCatalog Catalog { get; }

    public ObjectStore ObjectStore => _store;

    /// <summary>Cluster IPs and node ports of Services; follows the store through <see cref="ServiceAddressAllocator.Observe"/>.</summary>
    public ServiceAddressAllocator ServiceAddresses { get; } = new();

    /// <summary>Told about every committed CRD write, so the CRD controller can (re)serve its kind.</summary>
    public Action<StoredObject>? CustomResourceDefinitionWritten { get; set; }

    public DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>Kind-specific validation run on every create and update (the CRD controller validates CRDs here).</summary>
    public Action<ResourceType, JsonObject>? Validator { get; set; }

    /// <summary>Admission run on every create and update a client makes: the kind, the old object (null on create), the new one, the subresource.</summary>
    public Action<ResourceType, JsonObject?, JsonObject, string?, WriteOptions>? Admission { get; set; }

    public StoredObject Get(ResourceType type, string ns, string name)
    {
        ArgumentNullException.ThrowIfNull(type);
        return _store.Get(type.StorageKey, Scope(type, ns), name) ?? throw ApiException.NotFound(type.GroupResource, name);
    }

    public WriteResult Create(ResourceType type, string ns, JsonObject body, WriteOptions options)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(options);
        RejectWhenTerminating(type);
        var storage = StorageTypeOf(type);
        if (type.StoredAs is { } view)
        {
            CheckTypeMeta(type, body);
            body = view.ToStorage(body);
        }

        var obj = PrepareCreate(storage, ns, body, options);
        try
        {
            if (options.RecordManagedFields)
            {
                RecordManagedFields(type, null, obj, options, null);
            }

            var stored = Insert(storage, obj, options);
            if (options.DryRun)
            {
                ReleaseUnstored(storage, obj);
            }

            return new WriteResult(stored, Created: true);
        }
        catch (ApiException)
        {
            ReleaseUnstored(storage, obj);
            throw;
        }
    }

    public WriteResult Update(ResourceType type, string ns, string name, JsonObject body, string? subresource, WriteOptions options)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(options);
        RejectWhenTerminating(type);
        ns = Scope(type, ns);
        if (subresource == "scale")
        {
            return UpdateScale(type, ns, name, body, options);
        }

        if (type.StoredAs is { } view)
        {
            CheckTypeMeta(type, body);
            body = view.ToStorage(body);
        }

        var current = Get(type, ns, name);
        var requestedVersion = Json.String(body, "metadata", "resourceVersion");
        if (string.IsNullOrEmpty(requestedVersion))
        {
            if (type.IsCustom)
            {
                throw ApiException.Invalid(type.Group, type.Kind, name, [("metadata.resourceVersion", "FieldValueInvalid", "Invalid value: 0x0: must be specified for an update")]);
            }
        }
        else if (requestedVersion != current.ResourceVersion.ToString(CultureInfo.InvariantCulture))
        {
            throw ApiException.StaleResourceVersion(type.GroupResource, name);
        }

        var next = (JsonObject)body.DeepClone();
        return new WriteResult(Commit(StorageTypeOf(type), current, next, subresource, options, recordManagedFields: true, requested: type), Created: false);
    }

    public WriteResult Patch(ResourceType type, string ns, string name, string patchType, JsonNode? patch, string? subresource, WriteOptions options, bool force)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(options);
        RejectWhenTerminating(type);
        ns = Scope(type, ns);
        if (patchType == PatchApplication.StrategicMergePatchType && type.IsCustom)
        {
            throw ApiException.UnsupportedMediaType($"the body of the request was in an unknown format - accepted media types include: {PatchApplication.AcceptedTypes(type)}");
        }

        if (patchType == PatchApplication.ApplyPatchType)
        {
            return Apply(type, ns, name, patch as JsonObject ?? throw ApiException.BadRequest("the apply patch body must be an object"), subresource, options, force);
        }

        if (force)
        {
            throw ApiException.Invalid("meta.k8s.io", "PatchOptions", string.Empty, [("force", "FieldValueForbidden", "Forbidden: may not be specified for non-apply patch")]);
        }

        for (var attempt = 0; ; attempt++)
        {
            var current = Get(type, ns, name);
            if (subresource == "scale")
            {
                var scale = ScaleOf(type, current);
                var patchedScale = PatchApplication.Apply(type, scale, patchType == PatchApplication.StrategicMergePatchType ? PatchApplication.MergePatchType : patchType, patch);
                return UpdateScale(type, ns, name, patchedScale, options);
            }

            // A view's patch applies to the object as the view shows it, then goes back to the stored form.
            var patched = type.StoredAs is { } view
                ? view.ToStorage(PatchApplication.Apply(type, view.FromStorage(current.Object), patchType, patch))
                : PatchApplication.Apply(type, current.Clone(), patchType, patch);
            var requestedVersion = Json.String(patched, "metadata", "resourceVersion");
            if (!string.IsNullOrEmpty(requestedVersion) && requestedVersion != current.ResourceVersion.ToString(CultureInfo.InvariantCulture))
            {
                throw ApiException.StaleResourceVersion(type.GroupResource, name);
            }

            try
            {
                return new WriteResult(Commit(StorageTypeOf(type), current, patched, subresource, options, recordManagedFields: true, requested: type), Created: false);
            }
            catch (ApiException e) when (e.Code == 409 && e.Reason == "Conflict" && attempt < PatchRetries && string.IsNullOrEmpty(Json.String(patch, "metadata", "resourceVersion")))
            {
                // Someone wrote between our read and our write; a patch is re-applied to the newer object.
            }
        }
    }

    public DeleteResult Delete(ResourceType type, string ns, string name, DeleteRequest request)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(request);
        ns = Scope(type, ns);
        var policy = request.PropagationPolicy;
        if (policy is not null && request.OrphanDependents is not null)
        {
            throw ApiException.Invalid("meta.k8s.io", "DeleteOptions", string.Empty, [("propagationPolicy", "FieldValueInvalid", "Invalid value: \"" + policy + "\": orphanDependents and deletionPropagation cannot be both set")]);
        }

        if (policy is not null and not ("Foreground" or "Background" or "Orphan"))
        {
            throw ApiException.Invalid("meta.k8s.io", "DeleteOptions", string.Empty, [("propagationPolicy", "FieldValueNotSupported", $"Unsupported value: \"{policy}\": supported values: \"Foreground\", \"Background\", \"Orphan\"")]);
        }

        policy ??= request.OrphanDependents switch { true => "Orphan", false => "Background", null => null };
        for (var attempt = 0; ; attempt++)
        {
            var current = Get(type, ns, name);
            CheckPreconditions(type, current, request);
            var obj = current.Clone();
            var metadata = Json.Metadata(obj);
            var finalizers = Json.Strings(metadata["finalizers"]);
            var deleting = metadata["deletionTimestamp"] is not null;
            switch (policy)
            {
                case "Foreground":
                    finalizers.Remove("orphan");
                    AddOnce(finalizers, "foregroundDeletion");
                    break;
                case "Orphan":
                    finalizers.Remove("foregroundDeletion");
                    AddOnce(finalizers, "orphan");
                    break;
                case "Background":
                    finalizers.Remove("orphan");
                    finalizers.Remove("foregroundDeletion");
                    break;
            }

            if (type is { Group: "", Plural: "namespaces" })
            {
                if (deleting && Json.Strings(Json.At(obj, "spec", "finalizers")).Count > 0)
                {
                    throw ApiException.Conflict(type.GroupResource, name, "The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system.");
                }

                obj["status"] = new JsonObject { ["phase"] = "Terminating" };
            }

            if (type is { Group: "apiextensions.k8s.io", Plural: "customresourcedefinitions" })
            {
                AddOnce(finalizers, "customresourcecleanup.apiextensions.k8s.io");
            }

            if (request.DryRun)
            {
                return new DeleteResult(current, Removed: false);
            }

            if (finalizers.Count == 0 && !(type is { Group: "", Plural: "namespaces" }))
            {
                var removed = _store.Delete(type.StorageKey, ns, name, current.ResourceVersion);
                if (removed.Status == WriteStatus.Conflict && attempt < PatchRetries)
                {
                    continue;
                }

                if (removed.Status != WriteStatus.Done)
                {
                    throw ApiException.NotFound(type.GroupResource, name);
                }

                return new DeleteResult(removed.Object!, Removed: true);
            }

            // Finalizers keep the object: it is marked for deletion and stays until they are cleared.
            metadata["finalizers"] = finalizers.Count == 0 ? null : Json.ToArray(finalizers);
            if (finalizers.Count == 0)
            {
                metadata.Remove("finalizers");
            }

            if (!deleting)
            {
                metadata["deletionTimestamp"] = KubeTime.Format(Now);
                metadata["deletionGracePeriodSeconds"] = 0;
                if (Json.Integer(metadata, "generation") is { } generation and > 0)
                {
                    metadata["generation"] = generation + 1;
                }
            }

            if (type is { Group: "apiextensions.k8s.io", Plural: "customresourcedefinitions" })
            {
                SetCondition(obj, "Terminating", "True", "InstanceDeletionPending", "CustomResourceDefinition marked for deletion; instances are being removed");
            }

            var outcome = Store(type, current, obj);
            if (outcome is null && attempt < PatchRetries)
            {
                continue;
            }

            var stored = outcome ?? throw ApiException.StaleResourceVersion(type.GroupResource, name);
            return new DeleteResult(stored, Removed: stored.Metadata["deletionTimestamp"] is null);
        }
    }

    /// <summary>A write made by the server itself: no admission, no managedFields; null when the object moved on.</summary>
    public StoredObject? ReplaceInternal(ResourceType type, StoredObject current, JsonObject next)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(next);
        return Store(type, current, next);
    }

    /// <summary>The autoscaling/v1 Scale view of an object with a scale subresource.</summary>
    public JsonObject ScaleOf(ResourceType type, StoredObject current)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(current);
        var scale = type.Scale ?? throw ApiException.NotFound(type.GroupResource + "/scale", current.Name);
        var obj = current.Object;
        var metadata = current.Metadata;
        var status = new JsonObject { ["replicas"] = Json.Integer(PathValue(obj, scale.StatusReplicasPath)) ?? 0 };
        if (scale.LabelSelectorPath is { } selectorPath)
        {
            var selector = PathValue(obj, selectorPath);
            var text = selector switch
            {
                JsonObject structured => Selectors.LabelSelector.FromObject(structured).ToString(),
                JsonValue v when v.TryGetValue<string>(out var s) => s,
                _ => null,
            };
            if (!string.IsNullOrEmpty(text))
            {
                status["selector"] = text;
            }
        }

        return new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = new JsonObject
            {
                ["name"] = current.Name,
                ["namespace"] = current.Namespace.Length == 0 ? null : current.Namespace,
                ["uid"] = current.Uid,
                ["resourceVersion"] = metadata["resourceVersion"]?.DeepClone(),
                ["creationTimestamp"] = metadata["creationTimestamp"]?.DeepClone(),
            },
            ["spec"] = new JsonObject { ["replicas"] = Json.Integer(PathValue(obj, scale.SpecReplicasPath)) ?? 0 },
            ["status"] = status,
        };
    }

    private WriteResult UpdateScale(ResourceType type, string ns, string name, JsonObject scaleBody, WriteOptions options)
    {
        var scale = type.Scale ?? throw ApiException.NotFound(type.GroupResource + "/scale", name);
        for (var attempt = 0; ; attempt++)
        {
            var current = Get(type, ns, name);
            var requestedVersion = Json.String(scaleBody, "metadata", "resourceVersion");
            if (!string.IsNullOrEmpty(requestedVersion) && requestedVersion != current.ResourceVersion.ToString(CultureInfo.InvariantCulture))
            {
                throw ApiException.StaleResourceVersion(type.GroupResource, name);
            }

            var replicas = Json.Integer(scaleBody, "spec", "replicas");
            var next = current.Clone();
            if (replicas is null)
            {
                if (PathValue(next, scale.SpecReplicasPath) is null)
                {
                    throw ApiException.BadRequest($"the spec replicas field \"{scale.SpecReplicasPath}\" cannot be empty");
                }
            }
            else
            {
                SetPathValue(next, scale.SpecReplicasPath, replicas.Value);
            }

            try
            {
                var stored = Commit(type, current, next, "scale", options, recordManagedFields: true);
                return new WriteResult(stored, Created: false);
            }
            catch (ApiException e) when (e.Code == 409 && string.IsNullOrEmpty(requestedVersion) && attempt < PatchRetries)
            {
                // Lost a race with another writer; retry on the newer object.
            }
        }
    }

    private WriteResult Apply(ResourceType type, string ns, string name, JsonObject applied, string? subresource, WriteOptions options, bool force)
    {
        if (string.IsNullOrEmpty(options.FieldManager))
        {
            throw ApiException.Invalid("meta.k8s.io", "PatchOptions", string.Empty, [("fieldManager", "FieldValueRequired", "Required value: is required for apply patch")]);
        }

        if (Json.At(applied, "metadata", "managedFields") is not null)
        {
            throw ApiException.BadRequest("metadata.managedFields must be nil");
        }

        var appliedVersion = Json.String(applied, "apiVersion");
        if (appliedVersion is not null && appliedVersion != type.ApiVersion)
        {
            throw ApiException.BadRequest($"Incorrect version specified in apply patch. Specified patch version: {appliedVersion}, expected: {type.ApiVersion}");
        }

        var appliedName = Json.String(applied, "metadata", "name");
        if (appliedName is not null && appliedName != name)
        {
            throw ApiException.BadRequest($"the name of the object ({appliedName}) does not match the name on the URL ({name})");
        }

        applied = (JsonObject)applied.DeepClone();
        AdmitUnknownFields(type, applied, options);
        var storage = StorageTypeOf(type);
        for (var attempt = 0; ; attempt++)
        {
            var current = _store.Get(type.StorageKey, ns, name);
            if (current is null && subresource is not null)
            {
                throw ApiException.NotFound(type.GroupResource, name);
            }

            var live = current is null ? null : type.StoredAs is { } view ? view.FromStorage(current.Object) : current.Clone();
            var outcome = FieldOwnership.Apply(type, live, applied, options.FieldManager, force, Now, subresource);
            if (outcome.Conflicts.Count > 0)
            {
                throw ApplyConflict(outcome.ConflictMessage!, outcome.Conflicts);
            }

            var merged = type.StoredAs is { } storedAs ? storedAs.ToStorage(outcome.Object!) : outcome.Object!;
            if (current is null)
            {
                Json.Metadata(merged)["name"] = name;
                var created = PrepareCreate(storage, ns, merged, options, keepManagedFields: true);
                var inserted = _store.Create(storage.StorageKey, created);
                if (inserted is null)
                {
                    ReleaseUnstored(storage, created);
                    continue;
                }

                AfterCommit(storage, inserted);
                return new WriteResult(inserted, Created: true);
            }

            try
            {
                return new WriteResult(Commit(storage, current, merged, subresource, options, recordManagedFields: false), Created: false);
            }
            catch (ApiException e) when (e.Code == 409 && e.Reason == "Conflict" && attempt < PatchRetries)
            {
                // The object changed between our read and write; apply again on the newer one.
            }
        }
    }

    private static ApiException ApplyConflict(string message, IReadOnlyList<(string Manager, string Field, string Message)> conflicts)
    {
        var details = new JsonObject { ["causes"] = ApiException.Causes(conflicts.Select(c => (c.Field, "FieldManagerConflict", c.Message))) };
        return ApiException.Custom(409, "Conflict", message, details);
    }

    private JsonObject PrepareCreate(ResourceType type, string ns, JsonObject body, WriteOptions options, bool keepManagedFields = false)
    {
        CheckTypeMeta(type, body);
        var obj = (JsonObject)body.DeepClone();
        obj["apiVersion"] = type.ApiVersion;
        obj["kind"] = type.Kind;
        var metadata = Json.Metadata(obj);
        ns = Scope(type, ns);
        var bodyNamespace = Json.String(metadata, "namespace");
        if (type.Namespaced)
        {
            if (!string.IsNullOrEmpty(bodyNamespace) && bodyNamespace != ns)
            {
                throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }

            metadata["namespace"] = ns;
            var owner = _store.Get("namespaces", string.Empty, ns) ?? throw ApiException.NotFound("namespaces", ns);
            if (owner.Metadata["deletionTimestamp"] is not null)
            {
                throw ApiException.Forbidden(type.GroupResource, Json.String(metadata, "name") ?? string.Empty, $"unable to create new content in namespace {ns} because it is being terminated", [("metadata.namespace", "NamespaceTerminating", $"namespace {ns} is being terminated")]);
            }
        }
        else
        {
            metadata.Remove("namespace");
        }

        var name = Json.String(metadata, "name");
        if (string.IsNullOrEmpty(name))
        {
            var prefix = Json.String(metadata, "generateName");
            if (string.IsNullOrEmpty(prefix))
            {
                throw ApiException.Invalid(type.Group, type.Kind, string.Empty, [("metadata.name", "FieldValueRequired", "Required value: name or generateName is required")]);
            }

            name = (prefix.Length > 58 ? prefix[..58] : prefix) + RandomSuffix();
            metadata["name"] = name;
        }

        ValidateName(type, name);
        foreach (var field in (string[])["uid", "resourceVersion", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "selfLink"])
        {
            metadata.Remove(field);
        }

        if (!keepManagedFields)
        {
            metadata.Remove("managedFields");
        }

        if (type.HasStatusSubresource && !(type is { Group: "", Plural: "namespaces" }))
        {
            obj.Remove("status");
        }

        // The uid comes first: a Job's generated selector and a Service's addresses are keyed by it.
        metadata["uid"] = Guid.NewGuid().ToString();
        BuiltinDefaults.OnCreate(type, obj, ServiceAddresses);
        Admit(type, null, obj, null, options, checkUnknown: !keepManagedFields);
        metadata["creationTimestamp"] = KubeTime.Format(Now);
        if (type.HasGeneration)
        {
            metadata["generation"] = 1;
        }

        return obj;
    }

    private StoredObject Insert(ResourceType type, JsonObject obj, WriteOptions options)
    {
        if (options.DryRun)
        {
            return new StoredObject(obj, _store.ResourceVersion);
        }

        var stored = _store.Create(type.StorageKey, obj) ?? throw ApiException.AlreadyExists(type.GroupResource, Json.String(obj, "metadata", "name") ?? string.Empty);
        AfterCommit(type, stored);
        return stored;
    }

    /// <summary>Turns a client's candidate object into the next stored revision of <paramref name="current"/>.</summary>
    private StoredObject Commit(ResourceType type, StoredObject current, JsonObject next, string? subresource, WriteOptions options, bool recordManagedFields, ResourceType? requested = null)
    {
        CheckTypeMeta(type, next);
        next["apiVersion"] = type.ApiVersion;
        next["kind"] = type.Kind;
        var old = current.Object;
        var oldMetadata = current.Metadata;
        var metadata = Json.Metadata(next);
        var bodyName = Json.String(metadata, "name");
        if (bodyName is not null && bodyName != current.Name)
        {
            throw ApiException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({current.Name})");
        }

        var bodyNamespace = Json.String(metadata, "namespace");
        if (type.Namespaced && !string.IsNullOrEmpty(bodyNamespace) && bodyNamespace != current.Namespace)
        {
            throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }

        if (subresource == "finalize" && type is { Group: "", Plural: "namespaces" })
        {
            // The namespace controller's door: only spec.finalizers changes here.
            var remaining = Json.At(next, "spec", "finalizers")?.DeepClone();
            next = current.Clone();
            var spec = next["spec"] as JsonObject ?? [];
            spec["finalizers"] = remaining ?? new JsonArray();
            next["spec"] = spec;
            metadata = Json.Metadata(next);
        }
        else if (subresource == "status")
        {
            // The status endpoint takes status and nothing else from the request.
            var status = next["status"]?.DeepClone();
            var managed = metadata["managedFields"]?.DeepClone();
            next = current.Clone();
            next["status"] = status;
            metadata = Json.Metadata(next);
            if (!recordManagedFields)
            {
                metadata["managedFields"] = managed;
            }
        }
        else if (type.HasStatusSubresource && subresource is null)
        {
            next["status"] = old["status"]?.DeepClone();
            if (next["status"] is null)
            {
                next.Remove("status");
            }
        }

        foreach (var field in (string[])["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "selfLink"])
        {
            metadata[field] = oldMetadata[field]?.DeepClone();
            if (metadata[field] is null)
            {
                metadata.Remove(field);
            }
        }

        metadata["name"] = current.Name;
        if (type.Namespaced)
        {
            metadata["namespace"] = current.Namespace;
        }
        else
        {
            metadata.Remove("namespace");
        }

        metadata["resourceVersion"] = oldMetadata["resourceVersion"]?.DeepClone();
        if (subresource != "finalize")
        {
            BuiltinDefaults.OnUpdate(type, old, next, ServiceAddresses);
        }

        if (oldMetadata["deletionTimestamp"] is not null)
        {
            var added = Json.Strings(metadata["finalizers"]).Except(Json.Strings(oldMetadata["finalizers"])).ToList();
            if (added.Count > 0)
            {
                throw ApiException.Invalid(type.Group, type.Kind, current.Name, [("metadata.finalizers", "FieldValueForbidden", "Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{\"" + string.Join("\", \"", added) + "\"}")]);
            }
        }

        Admit(type, old, next, subresource, options, checkUnknown: subresource is null && recordManagedFields);
        if (type.HasGeneration && GenerationChanged(type, old, next))
        {
            metadata["generation"] = (Json.Integer(oldMetadata, "generation") ?? 0) + 1;
        }

        if (recordManagedFields)
        {
            RecordManagedFields(requested ?? type, old, next, options, subresource is "status" or "scale" ? subresource : null);
        }

        if (options.DryRun)
        {
            return new StoredObject(next, current.ResourceVersion);
        }

        return Store(type, current, next) ?? throw ApiException.StaleResourceVersion(type.GroupResource, current.Name);
    }

    /// <summary>Persists a next revision unless it changes nothing; deletes it when the last finalizer went.</summary>
    private StoredObject? Store(ResourceType type, StoredObject current, JsonObject next)
    {
        Json.Metadata(next)["resourceVersion"] = current.Metadata["resourceVersion"]?.DeepClone();
        if (Unchanged(current.Object, next))
        {
            return current;
        }

        var metadata = Json.Metadata(next);
        if (metadata["deletionTimestamp"] is not null
            && Json.Strings(metadata["finalizers"]).Count == 0
            && !(type is { Group: "", Plural: "namespaces" } && Json.Strings(Json.At(next, "spec", "finalizers")).Count > 0))
        {
            var removed = _store.Delete(type.StorageKey, current.Namespace, current.Name, current.ResourceVersion);
            return removed.Status == WriteStatus.Done ? removed.Object : null;
        }

        var outcome = _store.Update(type.StorageKey, next, current.ResourceVersion);
        if (outcome.Status == WriteStatus.NotFound)
        {
            throw ApiException.NotFound(type.GroupResource, current.Name);
        }

        if (outcome.Status != WriteStatus.Done)
        {
            return null;
        }

        AfterCommit(type, outcome.Object!);
        return outcome.Object;
    }

    /// <summary>Records the writer's fields in the version it wrote: a view's writes as the view's apiVersion and field names.</summary>
    private void RecordManagedFields(ResourceType requested, JsonObject? old, JsonObject next, WriteOptions options, string? subresource)
    {
        if (requested.StoredAs is not { } view)
        {
            FieldOwnership.RecordUpdate(requested, old, next, Manager(options), Now, subresource);
            return;
        }

        var viewed = view.FromStorage(next);
        FieldOwnership.RecordUpdate(requested, old is null ? null : view.FromStorage(old), viewed, Manager(options), Now, subresource);
        Json.Metadata(next)["managedFields"] = Json.At(viewed, "metadata", "managedFields")?.DeepClone();
    }

    /// <summary>The resource whose bucket and rules a view's objects are stored under (the resource itself otherwise).</summary>
    private ResourceType StorageTypeOf(ResourceType type) =>
        type.StoredAs is { } view
            ? Catalog.FindAnyVersion(view.StorageGroup, view.StoragePlural) ?? throw ApiException.Internal($"{type.GroupResource} is stored as {view.StorageKey}, which is not served")
            : type;

    /// <summary>A created object that never reached the store gives back the addresses it was allocated.</summary>
    private void ReleaseUnstored(ResourceType type, JsonObject obj)
    {
        if (type is { Group: "", Plural: "services" } && Json.String(obj, "metadata", "uid") is { } uid)
        {
            ServiceAddresses.Release(uid);
        }
    }

    private void AfterCommit(ResourceType type, StoredObject stored)
    {
        if (type is { Group: "apiextensions.k8s.io", Plural: "customresourcedefinitions" })
        {
            CustomResourceDefinitionWritten?.Invoke(stored);
        }
    }

    /// <summary>Equal apart from managedFields timestamps: such a write is a no-op and keeps its resourceVersion.</summary>
    private static bool Unchanged(JsonObject before, JsonObject after) =>
        JsonNode.DeepEquals(before, after) || SameApartFromManagedFieldTimes(before, after);

    // Compared in place: copying both objects to blank the times cost two deep clones on every write that changes something.
    private static bool SameApartFromManagedFieldTimes(JsonObject before, JsonObject after)
    {
        if (before.Count != after.Count)
        {
            return false;
        }

        foreach (var (key, value) in before)
        {
            if (!after.TryGetPropertyValue(key, out var other))
            {
                return false;
            }

            if (key == "metadata" && value is JsonObject metadata && other is JsonObject otherMetadata)
            {
                if (metadata.Count != otherMetadata.Count || metadata.Any(m => !otherMetadata.TryGetPropertyValue(m.Key, out var o)
                    || !(m.Key == "managedFields" ? SameEntriesApartFromTimes(m.Value, o) : JsonNode.DeepEquals(m.Value, o))))
                {
                    return false;
                }
            }
            else if (!JsonNode.DeepEquals(value, other))
            {
                return false;
            }
        }

        return true;
    }

    private static bool SameEntriesApartFromTimes(JsonNode? before, JsonNode? after)
    {
        if (before is not JsonArray a || after is not JsonArray b || a.Count != b.Count)
        {
            return JsonNode.DeepEquals(before, after);
        }

        for (var i = 0; i < a.Count; i++)
        {
            if (a[i] is not JsonObject x || b[i] is not JsonObject y)
            {
                if (!JsonNode.DeepEquals(a[i], b[i]))
                {
                    return false;
                }

                continue;
            }

            if (x.Count(p => p.Key != "time") != y.Count(p => p.Key != "time")
                || x.Any(p => p.Key != "time" && (!y.TryGetPropertyValue(p.Key, out var v) || !JsonNode.DeepEquals(p.Value, v))))
            {
                return false;
            }
        }

        return true;
    }

    private static bool GenerationChanged(ResourceType type, JsonObject old, JsonObject next)
    {
        if (type.IsCustom || type is { Group: "apiextensions.k8s.io" })
        {
            return !JsonNode.DeepEquals(WithoutMetadata(old, type), WithoutMetadata(next, type));
        }

        if (!JsonNode.DeepEquals(old["spec"], next["spec"]))
        {
            return true;
        }

        return type.AnnotationsBumpGeneration && !JsonNode.DeepEquals(Json.At(old, "metadata", "annotations"), Json.At(next, "metadata", "annotations"));
    }

    private static JsonObject WithoutMetadata(JsonObject obj, ResourceType type)
    {
        var copy = new JsonObject();
        foreach (var (key, value) in obj)
        {
            if (key is "metadata" or "apiVersion" or "kind" || (key == "status" && type.HasStatusSubresource))
            {
                continue;
            }

            copy[key] = value?.DeepClone();
        }

        return copy;
    }

    private void Admit(ResourceType type, JsonObject? old, JsonObject obj, string? subresource, WriteOptions options, bool checkUnknown)
    {
        Validator?.Invoke(type, obj);
        Admission?.Invoke(type, old, obj, subresource, options);
        if (type.Schema is not { } schema)
        {
            return;
        }

        if (checkUnknown)
        {
            AdmitUnknownFields(type, obj, options);
        }
        else
        {
            schema.Prune(obj);
        }

        schema.ApplyDefaults(obj);
        var errors = schema.Validate(obj);
        if (errors.Count > 0)
        {
            throw ApiException.Invalid(type.Group, type.Kind, Json.String(obj, "metadata", "name") ?? string.Empty, errors);
        }
    }

    private static void AdmitUnknownFields(ResourceType type, JsonObject obj, WriteOptions options)
    {
        if (type.Schema is not { } schema)
        {
            return;
        }

        var pruned = schema.Prune(obj);
        if (pruned.Count == 0 || options.FieldValidation == "Ignore")
        {
            return;
        }

        var unknown = pruned.Select(p => $"unknown field \"{p}\"").ToList();
        if (options.FieldValidation == "Strict")
        {
            throw ApiException.BadRequest($"{type.Kind} in version \"{type.Version}\" cannot be handled as a {type.Kind}: strict decoding error: {string.Join(", ", unknown)}");
        }

        options.Warnings.AddRange(unknown);
    }

    private static void CheckTypeMeta(ResourceType type, JsonObject body)
    {
        var apiVersion = Json.String(body, "apiVersion");
        var kind = Json.String(body, "kind");
        if (!string.IsNullOrEmpty(kind) && kind != type.Kind)
        {
            throw ApiException.BadRequest($"the kind in the data ({kind}) does not match the expected kind ({type.Kind})");
        }

        if (!string.IsNullOrEmpty(apiVersion) && apiVersion != type.ApiVersion)
        {
            throw ApiException.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({type.ApiVersion})");
        }
    }

    private static void CheckPreconditions(ResourceType type, StoredObject current, DeleteRequest request)
    {
        if (request.PreconditionUid is { Length: > 0 } uid && uid != current.Uid)
        {
            throw ApiException.Conflict(type.GroupResource, current.Name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {current.Uid}");
        }

        if (request.PreconditionResourceVersion is { Length: > 0 } rv && rv != current.ResourceVersion.ToString(CultureInfo.InvariantCulture))
        {
            throw ApiException.Conflict(type.GroupResource, current.Name, $"Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {current.ResourceVersion}");
        }
    }

    private static void ValidateName(ResourceType type, string name)
    {
        var valid = type is { Group: "", Plural: "namespaces" } or { Plural: "services" }
            ? name.Length <= 63 && DnsLabel().IsMatch(name)
            : name.Length <= 253 && DnsSubdomain().IsMatch(name);
        if (type.Group == "rbac.authorization.k8s.io")
        {
            valid = name.Length > 0 && !name.Contains('/', StringComparison.Ordinal) && name is not ("." or "..");
        }

        if (!valid)
        {
            throw ApiException.Invalid(type.Group, type.Kind, name, [("metadata.name", "FieldValueInvalid", $"Invalid value: \"{name}\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character")]);
        }
    }

    private static string Scope(ResourceType type, string ns) => type.Namespaced ? ns : string.Empty;

    private static void RejectWhenTerminating(ResourceType type)
    {
        if (type.Terminating)
        {
            throw ApiException.MethodNotAllowed($"the server does not allow this method on the requested resource: {type.GroupResource} is being deleted");
        }
    }

    private static string Manager(WriteOptions options)
    {
        if (!string.IsNullOrEmpty(options.FieldManager))
        {
            return options.FieldManager;
        }

        var agent = options.UserAgent ?? string.Empty;
        var slash = agent.IndexOf('/', StringComparison.Ordinal);
        var prefix = slash < 0 ? agent : agent[..slash];
        return prefix.Length > 0 ? prefix : "unknown";
    }

    private static void AddOnce(List<string> items, string item)
    {
        if (!items.Contains(item))
        {
            items.Add(item);
        }
    }

    private static string RandomSuffix() =>
        string.Create(5, 0, static (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = GenerateNameAlphabet[System.Security.Cryptography.RandomNumberGenerator.GetInt32(GenerateNameAlphabet.Length)];
            }
        });

    public static void SetCondition(JsonObject obj, string type, string status, string reason, string message)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var statusObject = obj["status"] as JsonObject ?? [];
        obj["status"] = statusObject;
        var conditions = statusObject["conditions"] as JsonArray ?? [];
        statusObject["conditions"] = conditions;
        var existing = conditions.OfType<JsonObject>().FirstOrDefault(c => Json.String(c, "type") == type);
        if (existing is not null && Json.String(existing, "status") == status && Json.String(existing, "reason") == reason)
        {
            return;
        }

        if (existing is null)
        {
            existing = [];
            conditions.Add(existing);
        }

        existing["type"] = type;
        existing["status"] = status;
        existing["lastTransitionTime"] = KubeTime.Format(DateTimeOffset.UtcNow);
        existing["reason"] = reason;
        existing["message"] = message;
    }

    /// <summary>Reads a simple dotted path such as <c>.spec.replicas</c>.</summary>
    public static JsonNode? PathValue(JsonObject obj, string path) =>
        Json.At(obj, path.TrimStart('.').Split('.'));

    private static void SetPathValue(JsonObject obj, string path, long value)
    {
        var segments = path.TrimStart('.').Split('.');
        var node = obj;
        foreach (var segment in segments[..^1])
        {
            if (node[segment] is not JsonObject child)
            {
                child = [];
                node[segment] = child;
            }

            node = child;
        }

        node[segments[^1]] = value;
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();
}

/// <summary>The stored object a write produced, and whether it created it (201).</summary>
public sealed record WriteResult(StoredObject Object, bool Created);

/// <summary>A delete's outcome: the removed object's last state, or the object now marked for deletion.</summary>
public sealed record DeleteResult(StoredObject Object, bool Removed);
