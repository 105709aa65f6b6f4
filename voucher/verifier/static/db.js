// IndexedDB: settings, the trust list, the verified revocation list and the redemptions this
// device recorded. Everything survives reloads and restarts; nothing recorded offline is lost.
const NAME = "voucher-verifier";
let opened = null;

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function database() {
  if (!opened) {
    const req = indexedDB.open(NAME, 1);
    req.onupgradeneeded = () => {
      const db = req.result;
      db.createObjectStore("kv");
      const redemptions = db.createObjectStore("redemptions", { keyPath: "client_id" });
      redemptions.createIndex("voucher_id", "voucher_id");
      redemptions.createIndex("synced", "synced");
    };
    opened = request(req);
  }
  return opened;
}

async function store(name, mode = "readonly") {
  return (await database()).transaction(name, mode).objectStore(name);
}

export async function get(key, fallback = null) {
  const value = await request((await store("kv")).get(key));
  return value === undefined ? fallback : value;
}

export async function put(key, value) {
  const tx = (await database()).transaction("kv", "readwrite");
  tx.objectStore("kv").put(value, key);
  return new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onerror = () => reject(tx.error); });
}

export async function addRedemption(record) {
  const tx = (await database()).transaction("redemptions", "readwrite");
  tx.objectStore("redemptions").put(record);
  return new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onerror = () => reject(tx.error); });
}

export async function redemptionsOf(voucherId) {
  return request((await store("redemptions")).index("voucher_id").getAll(voucherId));
}

export async function redemption(clientId) {
  return request((await store("redemptions")).get(clientId));
}

export async function pendingRedemptions() {
  return request((await store("redemptions")).index("synced").getAll(0));
}

export async function markSynced(results) {
  const tx = (await database()).transaction("redemptions", "readwrite");
  const redemptions = tx.objectStore("redemptions");
  for (const result of results) {
    const record = await request(redemptions.get(result.client_id));
    if (record) {
      const { outcome, flags, first_use = null, attendance = null } = result;
      redemptions.put({ ...record, synced: 1, outcome, flags, first_use, attendance });
    }
  }
  return new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onerror = () => reject(tx.error); });
}
