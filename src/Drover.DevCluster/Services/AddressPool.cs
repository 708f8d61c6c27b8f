using System.Security.Cryptography;

namespace Drover.DevCluster.Services;

/// <summary>
/// A range of numbered addresses (cluster IPs as offsets, node ports), each taken by at most one object (by uid).
/// Like the real allocators, a range is split into a small static band at the bottom, kept for addresses users ask
/// for by number, and the dynamic band above it that automatic picks come from (at random) first.
/// </summary>
internal sealed class AddressPool
{
    private readonly Lock _gate = new();
    private readonly Dictionary<long, string> _owners = [];
    private readonly Dictionary<string, HashSet<long>> _byOwner = new(StringComparer.Ordinal);

    public AddressPool(long first, long last, long staticBand)
    {
        First = first;
        Last = last;
        StaticBand = staticBand;
    }

    public long First { get; }

    public long Last { get; }

    public long StaticBand { get; }

    public bool Contains(long address) => address >= First && address <= Last;

    /// <summary>Takes a specific address for <paramref name="owner"/>; false when another object holds it.</summary>
    public bool TryTake(long address, string owner)
    {
        lock (_gate)
        {
            if (_owners.TryGetValue(address, out var holder))
            {
                return holder == owner;
            }

            Add(address, owner);
            return true;
        }
    }

    /// <summary>Picks a free address for <paramref name="owner"/>, from the dynamic band first; null when the range is full.</summary>
    public long? TakeNext(string owner)
    {
        lock (_gate)
        {
            var dynamicFirst = Math.Min(First + StaticBand, Last);
            foreach (var (from, to) in (ReadOnlySpan<(long, long)>)[(dynamicFirst, Last), (First, dynamicFirst - 1)])
            {
                if (to < from)
                {
                    continue;
                }

                // A random starting point, then a walk: picks look like a real cluster's and never loop forever.
                var size = to - from + 1;
                var start = RandomNumberGenerator.GetInt32((int)Math.Min(size, int.MaxValue));
                for (long i = 0; i < size; i++)
                {
                    var address = from + ((start + i) % size);
                    if (!_owners.ContainsKey(address))
                    {
                        Add(address, owner);
                        return address;
                    }
                }
            }

            return null;
        }
    }

    /// <summary>Makes <paramref name="owner"/> hold exactly <paramref name="addresses"/> (what its stored object says).</summary>
    public void Reconcile(string owner, IReadOnlyCollection<long> addresses)
    {
        lock (_gate)
        {
            Release(owner, keep: addresses);
            foreach (var address in addresses)
            {
                // The store is the truth: an address stored on this object is this object's.
                if (_owners.TryGetValue(address, out var holder) && holder != owner)
                {
                    _byOwner[holder].Remove(address);
                }

                Add(address, owner);
            }
        }
    }

    /// <summary>Frees everything <paramref name="owner"/> holds (the object is gone, or was never stored).</summary>
    public void Release(string owner)
    {
        lock (_gate)
        {
            Release(owner, keep: []);
        }
    }

    public bool IsTaken(long address)
    {
        lock (_gate)
        {
            return _owners.ContainsKey(address);
        }
    }

    private void Release(string owner, IReadOnlyCollection<long> keep)
    {
        if (!_byOwner.TryGetValue(owner, out var held))
        {
            return;
        }

        foreach (var address in held.Where(a => !keep.Contains(a)).ToList())
        {
            held.Remove(address);
            _owners.Remove(address);
        }

        if (held.Count == 0)
        {
            _byOwner.Remove(owner);
        }
    }

    private void Add(long address, string owner)
    {
        _owners[address] = owner;
        if (!_byOwner.TryGetValue(owner, out var held))
        {
            held = [];
            _byOwner[owner] = held;
        }

        held.Add(address);
    }
}
