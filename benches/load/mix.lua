-- One kind of request of the bando load mix, chosen by the KIND environment variable;
-- benches/load/run.sh starts one wrk per kind, in parallel, against one server.
--
-- Kinds: mvt_cold, mvt_warm, png_cold, png_warm, static, point, batch, search, stats.
-- Cold tiles pick a random tile of zoom 8-12 over Vietnam and a random year and
-- edition (almost never asked twice in a run); warm tiles come from a short fixed list
-- (warmed before the run). done() prints one line, `RESULT {json}`, with throughput,
-- latency percentiles and the statuses seen.

local kind = os.getenv("KIND") or "point"
local token = os.getenv("BANDO_LOAD_SEED") or "1"

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

-- Vietnam's extent (WGS84).
local MIN_LON, MAX_LON, MIN_LAT, MAX_LAT = 102.15, 109.45, 8.6, 23.35

local function rand(a, b) return a + math.random() * (b - a) end

local function tile_of(lon, lat, z)
  local n = 2 ^ z
  local x = math.floor((lon + 180) / 360 * n)
  local r = math.rad(lat)
  local y = math.floor((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * n)
  return x, y
end

local function view()
  return "?year=" .. math.random(2021, 2025) .. "&edition=" .. (math.random(0, 1) == 0 and "2024" or "2025")
end

local function cold_tile(ext)
  local z = math.random(8, 12)
  local x, y = tile_of(rand(MIN_LON, MAX_LON), rand(MIN_LAT, MAX_LAT), z)
  return "/tiles/ntm/" .. z .. "/" .. x .. "/" .. y .. ext .. view()
end

-- The warm list: tiles around Hà Nội and Hồ Chí Minh City, default view.
WARM = {
  "5/25/14", "5/25/15", "5/26/14", "5/26/15", "6/51/28", "6/51/29", "6/52/28", "7/102/56",
  "7/102/57", "7/103/56", "7/103/57", "8/203/112", "8/203/113", "8/204/112", "6/50/30",
  "7/101/60", "7/101/61", "8/204/121", "5/25/16", "6/51/31",
}

local function warm_tile(ext)
  return "/tiles/ntm/" .. WARM[math.random(#WARM)] .. ext
end

-- Large static maps: three views, two sizes, five years = 30 different pictures.
local STATIC_VIEWS = { "102.1,8.2,109.5,23.4", "105.2,20.5,106.4,21.4", "104.0,9.0,107.5,11.8" }

local function static_map()
  local size = (math.random(0, 1) == 0) and "2048" or "4096"
  return "/static/ntm.png?bbox=" .. STATIC_VIEWS[math.random(#STATIC_VIEWS)] .. "&width=" .. size ..
      "&height=" .. size .. "&year=" .. math.random(2021, 2025)
end

local SEARCH = { "duong xa", "phu cat", "ha noi", "lang gom bat trang", "da nang", "hue", "thanh hoa",
  "nghe an", "can tho", "ca mau", "phung xa", "gia lam", "quoc oai", "duong sa", "bac ninh" }
local PROVINCES = { "01", "79", "48", "31", "92", "96", "26", "27", "38", "40", "42", "46", "56", "66", "89" }

local function batch_body()
  local parts = {}
  for i = 1, 100 do
    parts[i] = string.format("[%.6f,%.6f]", rand(MIN_LON, MAX_LON), rand(MIN_LAT, MAX_LAT))
  end
  return "[" .. table.concat(parts, ",") .. "]"
end

-- Point queries ask at the reference points of real communes (POINTS_FILE, the
-- lon/lat columns of geodata/reference/communes-2024.csv), so they find a commune.
local points = {}

local function load_points()
  local f = io.open(os.getenv("POINTS_FILE") or "geodata/reference/communes-2024.csv")
  if not f then return end
  f:read("*l")
  for line in f:lines() do
    local fields = {}
    for v in line:gmatch("[^,]+") do fields[#fields + 1] = v end
    -- lon, lat are the 6th and 5th columns from the end (names may hold commas).
    local lon, lat = tonumber(fields[#fields - 5]), tonumber(fields[#fields - 4])
    if lon and lat then points[#points + 1] = { lon, lat } end
  end
  f:close()
end

function init(args)
  math.randomseed(os.time() * 1000 + (id or 0) * 7919 + tonumber(token))
  if kind == "point" then load_points() end
  s2xx, s3xx, s4xx, s503, s5xx, other = 0, 0, 0, 0, 0, 0
end

function request()
  if kind == "mvt_cold" then return wrk.format("GET", cold_tile(".mvt"), { ["Accept-Encoding"] = "gzip" })
  elseif kind == "mvt_warm" then return wrk.format("GET", warm_tile(".mvt"), { ["Accept-Encoding"] = "gzip" })
  elseif kind == "png_cold" then return wrk.format("GET", cold_tile(".png"))
  elseif kind == "png_warm" then return wrk.format("GET", warm_tile(".png"))
  elseif kind == "static" then return wrk.format("GET", static_map())
  elseif kind == "point" then
    local p = points[math.random(#points)]
    return wrk.format("GET", string.format("/api/v1/communes/at?lon=%.6f&lat=%.6f&year=%d&edition=%s",
      p[1], p[2], math.random(2021, 2025), (math.random(0, 1) == 0 and "2024" or "2025")))
  elseif kind == "batch" then
    return wrk.format("POST", "/api/v1/communes/at?year=2024", { ["Content-Type"] = "application/json" }, batch_body())
  elseif kind == "search" then
    return wrk.format("GET", "/api/v1/search?q=" .. SEARCH[math.random(#SEARCH)]:gsub(" ", "%%20"))
  elseif kind == "stats" then
    local r = math.random(0, 2)
    if r == 0 then return wrk.format("GET", "/api/v1/stats?year=" .. math.random(2021, 2025)) end
    return wrk.format("GET", "/api/v1/stats?province=" .. PROVINCES[math.random(#PROVINCES)] .. "&year=" .. math.random(2021, 2025))
  end
  error("unknown KIND " .. kind)
end

function response(status, headers, body)
  if status == 503 then s503 = s503 + 1
  elseif status >= 500 then s5xx = s5xx + 1
  elseif status >= 400 then s4xx = s4xx + 1
  elseif status >= 300 then s3xx = s3xx + 1
  elseif status >= 200 then s2xx = s2xx + 1
  else other = other + 1 end
end

function done(summary, latency, requests)
  local t = { s2xx = 0, s3xx = 0, s4xx = 0, s503 = 0, s5xx = 0, other = 0 }
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + (thread:get(k) or 0) end
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"kind":"%s","requests":%d,"duration_s":%.3f,"rps":%.1f,"p50_ms":%.2f,"p90_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f,' ..
    '"s2xx":%d,"s3xx":%d,"s4xx":%d,"s503":%d,"s5xx_not_503":%d,"err_connect":%d,"err_read":%d,"err_write":%d,"err_timeout":%d}\n',
    kind, summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    t.s2xx, t.s3xx, t.s4xx, t.s503, t.s5xx, e.connect, e.read, e.write, e.timeout))
end
