// ioredis against 127.0.0.1:<port>: pipelines, MULTI/EXEC with WATCH
// conflicts, defineCommand (EVALSHA with the NOSCRIPT fallback to EVAL),
// and pub/sub round trips. Prints one line per check.
const Redis = require("ioredis");
const port = Number(process.argv[2]);
const opts = { port, host: "127.0.0.1", lazyConnect: false, maxRetriesPerRequest: 1 };

async function main() {
  const r = new Redis(opts);
  const other = new Redis(opts);
  await r.flushdb();

  const res = await r.pipeline().set("a", "1").incr("a").get("a").incr("s").lpush("l", "x", "y").lrange("l", 0, -1).exec();
  console.log("pipeline", JSON.stringify(res.map(([e, v]) => (e ? "ERR" : v))));
  await r.set("s", "str");
  const bad = await r.pipeline().incr("s").get("s").exec();
  console.log("pipeline error", bad[0][0] && bad[0][0].message, bad[1][1]);

  console.log("multi", JSON.stringify(await r.multi().set("m", "1").incr("m").hset("h", "f", "v").hgetall("h").exec()));
  await r.watch("w");
  await other.set("w", "changed");
  console.log("watch conflict", await r.multi().set("w", "mine").exec(), await r.get("w"));
  await r.watch("w");
  console.log("watch ok", JSON.stringify(await r.multi().set("w", "mine").exec()), await r.get("w"));
  try {
    await r.multi().set("x", "1").call("nosuchcmd").exec();
  } catch (e) {
    console.log("execabort", e.message.split("\n")[0]);
  }

  r.defineCommand("incrCapped", {
    numberOfKeys: 1,
    lua: "local v = redis.call('incr', KEYS[1]) if v > tonumber(ARGV[1]) then redis.call('set', KEYS[1], ARGV[1]) return tonumber(ARGV[1]) end return v",
  });
  await r.script("FLUSH");
  const vals = [];
  for (let i = 0; i < 4; i++) vals.push(await r.incrCapped("cap", 3));
  console.log("defineCommand", JSON.stringify(vals));
  await r.script("FLUSH");
  console.log("after flush", await r.incrCapped("cap", 3));
  const pv = await r.pipeline().incrCapped("cap2", 10).incrCapped("cap2", 10).exec();
  console.log("script in pipeline", JSON.stringify(pv.map(([e, v]) => v)));
  console.log("evalsha missing", await r.evalsha("0000000000000000000000000000000000000000", 0).catch((e) => e.message));

  const sub = new Redis(opts);
  const got = [];
  const done = new Promise((resolve) => {
    sub.on("message", (ch, msg) => { got.push(`${ch}:${msg}`); if (got.length === 3) resolve(); });
    sub.on("pmessage", (pat, ch, msg) => { got.push(`${pat}|${ch}:${msg}`); if (got.length === 3) resolve(); });
  });
  console.log("subscribe", await sub.subscribe("news", "sport"));
  console.log("psubscribe", await sub.psubscribe("n*"));
  console.log("publish", await r.publish("news", "hello"), await r.publish("sport", "goal"));
  await done;
  console.log("messages", JSON.stringify(got.sort()));
  console.log("numsub", JSON.stringify(await r.pubsub("NUMSUB", "news", "sport")));
  console.log("unsubscribe", await sub.unsubscribe("news", "sport"));
  console.log("punsubscribe", await sub.punsubscribe("n*"));
  console.log("after unsubscribe", await sub.get("a"));
  sub.disconnect();
  r.disconnect();
  other.disconnect();
}

main().catch((e) => { console.log("FAILED", e && e.stack); process.exit(1); });
