namespace Drover.Gateway.Admission;

/// <summary>
/// The Lua scripts <see cref="RedisAdmissionState"/> runs. Redis runs a script as one step, so each decision (is there
/// room? take it) is atomic across every replica. Layout of the keys (all of one agent's windows share the agent's
/// hash tag, so a script that touches the agent's and a schedule's window stays in one Redis Cluster slot):
/// <list type="bullet">
/// <item><c>W</c>, a hash per window: <c>in out cin rsn req fail cost</c> (cost in nano-dollars), and the reserved
/// <c>rt</c> (tokens) and <c>rc</c> (nano-dollars) of the tickets in flight;</item>
/// <item><c>W:t</c>, ticket → "tokens cost" it reserved, until it is settled;</item>
/// <item><c>W:x</c>, ticket → lease expiry (ms): a ticket whose replica stops renewing it gives its room back;</item>
/// <item><c>W:m</c>, per provider and model (<c>provider␟model␟field</c>): the same counts;</item>
/// <item><c>W:d</c>, ids of the charges applied to the window, so a retried or replayed charge is applied once;</item>
/// <item><c>P</c>, a hash per provider: <c>req</c>/<c>tok</c> (token buckets), <c>at</c> (last refill, ms),
/// <c>cool</c> (cooling down until, ms); <c>P:c</c>, concurrency slot → lease expiry (ms).</item>
/// </list>
/// Numbers cross as decimal strings; Redis formats Lua numbers with %.17g, so integers up to 2^53 stay exact.
/// </summary>
internal static class RedisScripts
{
    private const string Common = """
        local function num(v) return tonumber(v) or 0 end
        local function unreserve(w, amount)
          local sep = string.find(amount, ' ', 1, true)
          -- 0 - n, not -n: Redis writes a Lua -0 as "-0", which HINCRBY refuses.
          redis.call('HINCRBY', w, 'rt', 0 - tonumber(string.sub(amount, 1, sep - 1)))
          redis.call('HINCRBY', w, 'rc', 0 - tonumber(string.sub(amount, sep + 1)))
        end
        local function purge(w, t, x, now)
          for _, id in ipairs(redis.call('ZRANGEBYSCORE', x, '-inf', now)) do
            local amount = redis.call('HGET', t, id)
            if amount then unreserve(w, amount) end
            redis.call('HDEL', t, id)
            redis.call('ZREM', x, id)
          end
        end
        local function spent(w, tl, cl)
          local v = redis.call('HMGET', w, 'in', 'out', 'cost')
          local p = 0
          if tl > 0 then p = math.max(p, (num(v[1]) + num(v[2])) * 100 / tl) end
          if cl > 0 then p = math.max(p, num(v[3]) * 100 / cl) end
          return p
        end
        local function charge(w, m, model, c, ok)
          redis.call('HINCRBY', w, 'in', c[1])
          redis.call('HINCRBY', w, 'out', c[2])
          redis.call('HINCRBY', w, 'cin', c[3])
          redis.call('HINCRBY', w, 'rsn', c[4])
          redis.call('HINCRBY', w, 'cost', c[5])
          if ok then redis.call('HINCRBY', w, 'req', 1) else redis.call('HINCRBY', w, 'fail', 1) end
          if model ~= '' and (ok or tonumber(c[1]) + tonumber(c[2]) > 0) then
            local p = model .. '\31'
            redis.call('HINCRBY', m, p .. 'in', c[1])
            redis.call('HINCRBY', m, p .. 'out', c[2])
            redis.call('HINCRBY', m, p .. 'cin', c[3])
            redis.call('HINCRBY', m, p .. 'rsn', c[4])
            redis.call('HINCRBY', m, p .. 'cost', c[5])
            if ok then redis.call('HINCRBY', m, p .. 'req', 1) end
          end
        end

        """;

    /// <summary>
    /// KEYS: per window W, W:t, W:x. ARGV: now, ticket, tokens, cost, lease expiry, then per window token limit, cost
    /// limit (-1: none) and the unix second the keys expire. Returns 0 (reserved in every window) or the 1-based index
    /// of the first window without room (nothing reserved).
    /// </summary>
    public const string Reserve = Common + """
        local now = tonumber(ARGV[1])
        local n = #KEYS / 3
        for i = 0, n - 1 do purge(KEYS[i * 3 + 1], KEYS[i * 3 + 2], KEYS[i * 3 + 3], now) end
        for i = 0, n - 1 do
          local tl, cl = tonumber(ARGV[6 + i * 3]), tonumber(ARGV[7 + i * 3])
          local v = redis.call('HMGET', KEYS[i * 3 + 1], 'in', 'out', 'rt', 'cost', 'rc')
          if (tl >= 0 and num(v[1]) + num(v[2]) + math.max(0, num(v[3])) >= tl)
            or (cl >= 0 and num(v[4]) + math.max(0, num(v[5])) >= cl) then
            return i + 1
          end
        end
        for i = 0, n - 1 do
          local w, t, x, at = KEYS[i * 3 + 1], KEYS[i * 3 + 2], KEYS[i * 3 + 3], ARGV[8 + i * 3]
          redis.call('HINCRBY', w, 'rt', ARGV[3])
          redis.call('HINCRBY', w, 'rc', ARGV[4])
          redis.call('HSET', t, ARGV[2], ARGV[3] .. ' ' .. ARGV[4])
          redis.call('ZADD', x, ARGV[5], ARGV[2])
          redis.call('EXPIREAT', w, at)
          redis.call('EXPIREAT', t, at)
          redis.call('EXPIREAT', x, at)
        end
        return 0
        """;

    /// <summary>
    /// KEYS: per window W, W:t, W:x, W:m, W:d. ARGV: charge id (the ticket's), input, output, cached input, reasoning,
    /// cost, succeeded (1/0), provider␟model (or ""), then per window token limit, cost limit and expiry second.
    /// Charges each window once per id, whatever the retries: a reply lost to a dropped connection, or a charge counted
    /// during an outage and replayed after it, is not counted twice (the id is remembered in W:d). Gives back the
    /// ticket's reservation when it still holds one. Returns per window eight numbers: the thresholds crossed (1: 80%,
    /// 2: 100%; -1: this id was charged before, nothing changed), then the window's in, out, cin, rsn, req, fail and
    /// cost after the charge.
    /// </summary>
    public const string Settle = Common + """
        local id = ARGV[1]
        local c = { ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6] }
        local ok = ARGV[7] == '1'
        local n = #KEYS / 5
        local out = {}
        for i = 0, n - 1 do
          local w, t, x, m, d = KEYS[i * 5 + 1], KEYS[i * 5 + 2], KEYS[i * 5 + 3], KEYS[i * 5 + 4], KEYS[i * 5 + 5]
          local amount = redis.call('HGET', t, id)
          if amount then
            redis.call('HDEL', t, id)
            if redis.call('ZREM', x, id) == 1 then unreserve(w, amount) end
          end
          local mask = -1
          if redis.call('HSETNX', d, id, 1) == 1 then
            local tl, cl = tonumber(ARGV[9 + i * 3]), tonumber(ARGV[10 + i * 3])
            local before = spent(w, tl, cl)
            charge(w, m, ARGV[8], c, ok)
            local after = spent(w, tl, cl)
            mask = 0
            if before < 80 and after >= 80 then mask = mask + 1 end
            if before < 100 and after >= 100 then mask = mask + 2 end
            local at = ARGV[11 + i * 3]
            redis.call('EXPIREAT', w, at)
            redis.call('EXPIREAT', m, at)
            redis.call('EXPIREAT', d, at)
          end
          out[#out + 1] = mask
          local v = redis.call('HMGET', w, 'in', 'out', 'cin', 'rsn', 'req', 'fail', 'cost')
          for k = 1, 7 do out[#out + 1] = num(v[k]) end
        end
        return out
        """;

    /// <summary>
    /// KEYS: W, W:m. ARGV: in, out, cin, rsn, req, fail, cost, expiry second, then per model provider␟model, in, out,
    /// cin, rsn, req, cost. Keeps the larger of what is held and what is given, field by field (per model: the whole
    /// entry with more tokens and requests), so restoring twice never doubles and never lowers.
    /// </summary>
    public const string Restore = Common + """
        local names = { 'in', 'out', 'cin', 'rsn', 'req', 'fail', 'cost' }
        for k = 1, 7 do
          if tonumber(ARGV[k]) > num(redis.call('HGET', KEYS[1], names[k])) then redis.call('HSET', KEYS[1], names[k], ARGV[k]) end
        end
        local fields = { 'in', 'out', 'cin', 'rsn', 'req', 'cost' }
        local i = 9
        while i <= #ARGV do
          local p = ARGV[i] .. '\31'
          local v = redis.call('HMGET', KEYS[2], p .. 'in', p .. 'out', p .. 'req')
          if tonumber(ARGV[i + 1]) + tonumber(ARGV[i + 2]) + tonumber(ARGV[i + 5]) > num(v[1]) + num(v[2]) + num(v[3]) then
            for k = 1, 6 do redis.call('HSET', KEYS[2], p .. fields[k], ARGV[i + k]) end
          end
          i = i + 7
        end
        redis.call('EXPIREAT', KEYS[1], ARGV[8])
        redis.call('EXPIREAT', KEYS[2], ARGV[8])
        return 0
        """;

    /// <summary>
    /// KEYS: P, P:c. ARGV: now, requests per minute, tokens per minute, max concurrent (-1: none), tokens, slot id,
    /// slot lease expiry, key lifetime (ms). The buckets refill continuously, a minute's allowance at most. Returns
    /// {reason, wait ms}: 0 granted (slot taken), 1 requests per minute, 2 tokens per minute, 3 concurrency,
    /// 4 cooling down.
    /// </summary>
    public const string Acquire = Common + """
        local p, c = KEYS[1], KEYS[2]
        local now = tonumber(ARGV[1])
        local rpm, tpm, max, tokens = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
        local v = redis.call('HMGET', p, 'cool', 'at', 'req', 'tok')
        local cool = num(v[1])
        if cool > now then return { 4, cool - now } end
        local at = tonumber(v[2]) or now
        local minutes = math.max(0, now - at) / 60000
        local req, tok = nil, nil
        if rpm >= 0 then req = math.min(rpm, (tonumber(v[3]) or rpm) + minutes * rpm) end
        if tpm >= 0 then tok = math.min(tpm, (tonumber(v[4]) or tpm) + minutes * tpm) end
        local function save()
          redis.call('HSET', p, 'at', math.max(at, now))
          if req then redis.call('HSET', p, 'req', req) else redis.call('HDEL', p, 'req') end
          if tok then redis.call('HSET', p, 'tok', tok) else redis.call('HDEL', p, 'tok') end
          redis.call('PEXPIRE', p, ARGV[8])
        end
        if max >= 0 then
          redis.call('ZREMRANGEBYSCORE', c, '-inf', now)
          if redis.call('ZCARD', c) >= max then save() return { 3, 0 } end
        end
        if req and req < 1 then save() return { 1, math.ceil((1 - req) * 60000 / rpm) } end
        if tok then
          local need = math.min(tokens, tpm)
          if tok < need then save() return { 2, math.ceil((need - tok) * 60000 / tpm) } end
        end
        if max >= 0 then
          redis.call('ZADD', c, ARGV[7], ARGV[6])
          redis.call('PEXPIRE', c, ARGV[8])
        end
        if req then req = req - 1 end
        if tok then tok = tok - tokens end
        save()
        return { 0, 0 }
        """;

    /// <summary>KEYS: P, P:c. ARGV: slot id (or ""), tokens used minus tokens estimated. Frees the slot and settles the estimate.</summary>
    public const string Release = """
        if ARGV[1] ~= '' then redis.call('ZREM', KEYS[2], ARGV[1]) end
        local tok = redis.call('HGET', KEYS[1], 'tok')
        if tok and tonumber(ARGV[2]) ~= 0 then redis.call('HSET', KEYS[1], 'tok', tonumber(tok) - tonumber(ARGV[2])) end
        return 0
        """;

    /// <summary>KEYS: P. ARGV: cooling down until (ms), key lifetime (ms). Only ever lengthens a cooldown.</summary>
    public const string CoolDown = """
        if tonumber(ARGV[1]) > (tonumber(redis.call('HGET', KEYS[1], 'cool')) or 0) then
          redis.call('HSET', KEYS[1], 'cool', ARGV[1])
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
        end
        return 0
        """;

    /// <summary>KEYS: sorted sets holding one lease each. ARGV: new expiry, then the lease ids in KEYS order. Renews only leases still held.</summary>
    public const string Renew = """
        for i, key in ipairs(KEYS) do redis.call('ZADD', key, 'XX', ARGV[1], ARGV[i + 1]) end
        return 0
        """;
}
