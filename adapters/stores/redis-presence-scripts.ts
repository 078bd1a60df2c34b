import { PAIR_LUA } from './redis-presence-keys';

/**
 * The Lua scripts behind every write of the Redis presence store (key layout:
 * redis-presence-keys.ts). A script runs atomically (redis.io "Scripting with
 * Lua": no other command runs meanwhile), so a record and its index entries
 * never disagree, even with several gateway nodes writing at once.
 *
 * All take ARGV only (numberOfKeys 0); ARGV[1] is the key prefix. Numbers
 * arrive and are stored as the decimal strings the client sent, never
 * through Lua's tostring (which would print 13-digit times as 1.796e+12).
 */

const WATCHER_UNINDEX = `
local function unindex_watcher(p, id)
  local old = redis.call('HMGET', p .. 'w:' .. id, 'watcherJid', 'contactJid', 'owner')
  if not old[3] then return false end
  redis.call('ZREM', p .. 'wc:' .. old[2], id)
  redis.call('ZREM', p .. 'wp:' .. pair(old[1], old[2]), id)
  redis.call('ZREM', p .. 'wx:' .. old[3], id)
  redis.call('ZREM', p .. 'wo:' .. old[3], id)
  return true
end`;

/** ARGV: prefix, dialogId, watcherUri, watcherJid, contactJid, entity, state, expiresAt, owner. */
export const PUT_WATCHER = `${PAIR_LUA}
${WATCHER_UNINDEX}
local p, id = ARGV[1], ARGV[2]
local wjid, contact, exp, owner = ARGV[4], ARGV[5], ARGV[8], ARGV[9]
unindex_watcher(p, id)
redis.call('HSET', p .. 'w:' .. id, 'watcherUri', ARGV[3], 'watcherJid', wjid, 'contactJid', contact,
  'entity', ARGV[6], 'state', ARGV[7], 'expiresAt', exp, 'owner', owner)
redis.call('ZADD', p .. 'wc:' .. contact, 0, id)
redis.call('ZADD', p .. 'wp:' .. pair(wjid, contact), exp, id)
redis.call('ZADD', p .. 'wx:' .. owner, exp, id)
redis.call('ZADD', p .. 'wo:' .. owner, 0, id)
redis.call('SADD', p .. 'owners', owner)
return 1`;

/** ARGV: prefix, dialogId. */
export const DELETE_WATCHER = `${PAIR_LUA}
${WATCHER_UNINDEX}
local p, id = ARGV[1], ARGV[2]
if unindex_watcher(p, id) then redis.call('DEL', p .. 'w:' .. id) end
return 1`;

const SUBSCRIPTION_UNINDEX = `
local function unindex_subscription(p, pk)
  local old = redis.call('HMGET', p .. 's:' .. pk, 'sipContact', 'dialogId', 'owner')
  if not old[3] then return false end
  redis.call('ZREM', p .. 'sc:' .. old[1], pk)
  if old[2] and redis.call('GET', p .. 'sd:' .. old[2]) == pk then redis.call('DEL', p .. 'sd:' .. old[2]) end
  redis.call('ZREM', p .. 'sr:' .. old[3], pk)
  redis.call('ZREM', p .. 'so:' .. old[3], pk)
  return true
end`;

/** ARGV: prefix, pair, xmppUser, sipContact, sipUri, dialogId or '', state, expiresAt, refreshAt or '', owner. */
export const PUT_SUBSCRIPTION = `${SUBSCRIPTION_UNINDEX}
local p, pk = ARGV[1], ARGV[2]
local contact, dialog, refresh, owner = ARGV[4], ARGV[6], ARGV[9], ARGV[10]
local key = p .. 's:' .. pk
unindex_subscription(p, pk)
redis.call('HSET', key, 'xmppUser', ARGV[3], 'sipContact', contact, 'sipUri', ARGV[5], 'state', ARGV[7],
  'expiresAt', ARGV[8], 'owner', owner)
if dialog ~= '' then
  redis.call('HSET', key, 'dialogId', dialog)
  redis.call('SET', p .. 'sd:' .. dialog, pk)
else
  redis.call('HDEL', key, 'dialogId')
end
if refresh ~= '' then
  redis.call('HSET', key, 'refreshAt', refresh)
  redis.call('ZADD', p .. 'sr:' .. owner, refresh, pk)
else
  redis.call('HDEL', key, 'refreshAt')
end
redis.call('ZADD', p .. 'so:' .. owner, 0, pk)
redis.call('ZADD', p .. 'sc:' .. contact, 0, pk)
redis.call('SADD', p .. 'owners', owner)
return 1`;

/** ARGV: prefix, pair. */
export const DELETE_SUBSCRIPTION = `${SUBSCRIPTION_UNINDEX}
local p, pk = ARGV[1], ARGV[2]
if unindex_subscription(p, pk) then redis.call('DEL', p .. 's:' .. pk) end
return 1`;

/**
 * ARGV: prefix, node, now. Moves every record of each owner whose liveness
 * lapsed (aliveUntil < now, or no heartbeat ever) to `node`, index entries
 * merged with ZUNIONSTORE (in C, not per record in Lua); returns
 * {watchers, subscriptions}. Owners left with no records leave the worklist,
 * so a heartbeat with nothing to adopt costs one SMEMBERS and a ZSCORE per node.
 */
export const ADOPT_ORPHANS = `
local p, node, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
local watchers, subscriptions = 0, 0
local function move(from, to, kind)
  local src, dst = p .. kind .. from, p .. kind .. to
  redis.call('ZUNIONSTORE', dst, 2, dst, src, 'AGGREGATE', 'MAX')
  redis.call('DEL', src)
end
for _, o in ipairs(redis.call('SMEMBERS', p .. 'owners')) do
  local lapsed = false
  if o ~= node then
    local alive = redis.call('ZSCORE', p .. 'nodes', o)
    lapsed = not alive or tonumber(alive) < now
  end
  if lapsed then
    for _, id in ipairs(redis.call('ZRANGE', p .. 'wo:' .. o, 0, -1)) do
      redis.call('HSET', p .. 'w:' .. id, 'owner', node)
      watchers = watchers + 1
    end
    for _, pk in ipairs(redis.call('ZRANGE', p .. 'so:' .. o, 0, -1)) do
      redis.call('HSET', p .. 's:' .. pk, 'owner', node)
      subscriptions = subscriptions + 1
    end
    move(o, node, 'wx:')
    move(o, node, 'wo:')
    move(o, node, 'sr:')
    move(o, node, 'so:')
    redis.call('SREM', p .. 'owners', o)
  elseif redis.call('EXISTS', p .. 'wo:' .. o, p .. 'so:' .. o) == 0 then
    -- No records left (the calling node's own entry included): off the worklist;
    -- the next put of a record for it adds it back (PUT_WATCHER, PUT_SUBSCRIPTION).
    redis.call('SREM', p .. 'owners', o)
  end
end
if watchers + subscriptions > 0 then redis.call('SADD', p .. 'owners', node) end
return {watchers, subscriptions}`;
