-- segue_import_takes.lua: puts the Segue plugin's takes on the Ardour timeline, one new track per take,
-- each region starting exactly on the sample where the take begins (the bar where the prime ended).
--
-- The plugin writes each take as "<track>_bar<NNN>_<BPM>bpm_take<K>.wav" in its stems folder, and next to
-- it "<same name>.segue": text lines "key value" with the exact start_sample, sample_rate, frames, bar,
-- tempo_bpm, time_sig, take and job. The start sample comes from that sidecar; a stem without one is placed
-- at the start of bar NNN in the session's own tempo map (the same sample when the session's tempo map is
-- the one the take was made in).
--
-- Two ways to run it:
--   * In Ardour (Edit > Lua Scripts > Script Manager > add an Editor Action): asks for the stems folder and
--     a name filter, and imports each take as a new track at its start sample (Editor:do_import). This path
--     needs Ardour's editor and is not exercised by the project's headless tests.
--   * Headless, on a saved session that is not open elsewhere:
--       SEGUE_SESSION_DIR=... SEGUE_SESSION_NAME=... SEGUE_STEMS_DIR=... [SEGUE_FILTER=track_bar005] \
--       [SEGUE_TAKES=1,3] ardour7-lua segue_import_takes.lua
--     adds one track per take, saves, and writes the takes into the saved session as regions (Ardour 7's Lua
--     cannot import audio without the editor, so the files are copied into the session's audio folder and
--     their sources and regions written into the session file). It prints one
--     line "imported <file> track <name> at <sample>" per take, and "imported: N takes" last.
-- Takes at a sample rate other than the session's are skipped with a message (the editor's import would
-- resample them; the headless path does not).

local function sidecar_of(stem) return (stem:gsub("%.wav$", ".segue")) end

-- The sidecar's keys, or nil when there is none (or it is not one).
local function read_sidecar(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local text = f:read(8192) or ""
  f:close()
  if not text:match("^segue%-stem 1\n") then return nil end
  local keys = {}
  for k, v in text:gmatch("([%w_]+) ([^\n]*)\n") do keys[k] = v end
  return keys
end

-- A stem's name parts: track, bar, bpm, take (nil when the name is not a stem's).
local function parse_name(file)
  local track, bar, bpm, take = file:match("^(.+)_bar(%d+)_([%d%.]+)bpm_take(%d+)%-?%d*%.wav$")
  if not track then return nil end
  return { track = track, bar = tonumber(bar), bpm = tonumber(bpm), take = tonumber(take) }
end

-- The sample where bar `bar` (1-based) starts in the session's tempo map.
local function bar_sample(bar)
  local tm = Temporal.TempoMap.read()
  local q = tm:quarters_at_bbt(Temporal.BBT_TIME(bar, 1, 0))
  local beats, ticks = q:str():match("^(%-?%d+):(%d+)$")
  assert(beats, "unexpected quarter-note position " .. q:str())
  local pos = Temporal.timepos_t.from_ticks(tonumber(beats) * Temporal.ticks_per_beat + tonumber(ticks))
  tm = nil
  return pos:samples()
end

local function wanted_takes(list)
  if list == nil or list == "" or list == "all" then return nil end
  local set = {}
  for n in list:gmatch("%d+") do set[tonumber(n)] = true end
  return set
end

-- The stems in `dir` whose name starts with `filter`, sorted, with their placement.
local function find_takes(dir, filter, takes)
  assert(not dir:find("'", 1, true), "no quotes in the stems folder's path, please")
  local listing = assert(io.popen("ls -1 '" .. dir .. "' 2>/dev/null"))
  local found = {}
  for file in listing:lines() do
    local name = parse_name(file)
    if name and (filter == nil or filter == "" or file:sub(1, #filter) == filter) and (takes == nil or takes[name.take]) then
      local path = dir .. "/" .. file
      local side = read_sidecar(sidecar_of(path))
      found[#found + 1] = {
        file = file, path = path, name = name,
        start = side and tonumber(side.start_sample) or nil,
        rate = side and tonumber(side.sample_rate) or nil,
      }
    end
  end
  listing:close()
  table.sort(found, function(a, b) return a.file < b.file end)
  return found
end

-- ---- in Ardour, with the editor ------------------------------------------------------------------------
-- The `ardour` function exists only when Ardour loads this file as a script; ardour7-lua does not define it.
if ardour then
  ardour { ["type"] = "EditorAction", name = "Segue: Import Takes",
    description = "Imports the Segue plugin's takes as new tracks, each at the sample where it starts" }
end

function factory()
  return function()
    local home = os.getenv("HOME") or ""
    local dialog = LuaDialog.Dialog("Segue: Import Takes", {
      { type = "entry", key = "dir", default = os.getenv("SEGUE_STEMS_DIR") or (home .. "/Segue/stems"), title = "Stems folder" },
      { type = "entry", key = "filter", default = "", title = "Only names starting with (e.g. bass_bar005)" },
      { type = "entry", key = "takes", default = "all", title = "Takes (all, or 1,3)" },
    })
    local rv = dialog:run()
    if not rv then return end
    local rate = Session:nominal_sample_rate()
    for _, t in ipairs(find_takes(rv.dir, rv.filter, wanted_takes(rv.takes))) do
      local start = t.start or bar_sample(t.name.bar)
      if t.rate and t.rate ~= rate then
        print("segue: " .. t.file .. " is at " .. t.rate .. " Hz, the session at " .. rate .. ": resampled on import")
      end
      local files = C.StringVector()
      files:push_back(t.path)
      Editor:do_import(files, Editing.ImportDistinctFiles, Editing.ImportAsTrack, ARDOUR.SrcQuality.SrcBest,
        ARDOUR.MidiTrackNameSource.SMFTrackName, ARDOUR.MidiTempoMapDisposition.SMFTempoIgnore,
        Temporal.timepos_t(start), ARDOUR.PluginInfo(), ARDOUR.Track(), false)
    end
  end
end

if ardour then return end

-- ---- headless (ardour7-lua) -----------------------------------------------------------------------------

local function need(name)
  local v = os.getenv(name)
  if v == nil or v == "" then error("segue_import_takes.lua: " .. name .. " is not set") end
  return v
end

-- Rate, channels and frames of a PCM/float WAV, from its RIFF header.
local function wav_info(path)
  local f = assert(io.open(path, "rb"))
  local head = f:read(12)
  assert(head and #head == 12 and head:sub(1, 4) == "RIFF" and head:sub(9, 12) == "WAVE", path .. ": not a WAV file")
  local rate, channels, block, frames
  while true do
    local ch = f:read(8)
    if not ch or #ch < 8 then break end
    local id, size = ch:sub(1, 4), string.unpack("<I4", ch, 5)
    if id == "fmt " then
      local fmt = f:read(size)
      channels, rate, block = string.unpack("<I2", fmt, 3), string.unpack("<I4", fmt, 5), string.unpack("<I2", fmt, 13)
    elseif id == "data" then
      assert(block and block > 0, path .. ": data chunk before fmt chunk")
      frames = size // block
      break
    else
      f:seek("cur", size + (size % 2))
    end
  end
  f:close()
  assert(rate and frames and frames > 0, path .. ": no fmt/data chunk")
  return rate, channels, frames
end

local function copy(from, to)
  local src = assert(io.open(from, "rb"))
  local dst = assert(io.open(to, "wb"))
  while true do
    local block = src:read(1 << 20)
    if not block then break end
    dst:write(block)
  end
  src:close()
  dst:close()
end

local dir, name, stems = need("SEGUE_SESSION_DIR"), need("SEGUE_SESSION_NAME"), need("SEGUE_STEMS_DIR")
assert(not dir:find("'", 1, true), "no quotes in the session path, please")

AudioEngine:set_backend("None (Dummy)", "", "")
local s = load_session(dir, name)
assert(s, "could not load the session " .. dir .. " (" .. name .. ")")
local rate = s:nominal_sample_rate()

local placed = {}
for _, t in ipairs(find_takes(stems, os.getenv("SEGUE_FILTER"), wanted_takes(os.getenv("SEGUE_TAKES")))) do
  local file_rate, channels, frames = wav_info(t.path)
  if file_rate ~= rate then
    print(string.format("skipped %s: %d Hz, the session runs at %d Hz", t.file, file_rate, rate))
  else
    local start = t.start or bar_sample(t.name.bar)
    local track_name = t.file:gsub("%.wav$", ""):gsub("[^%w_%-]", "_")
    assert(s:route_by_name(track_name):isnil(), "the session already has a track " .. track_name)
    local track = s:new_audio_track(channels, 2, nil, 1, track_name, ARDOUR.PresentationInfo.max_order,
      ARDOUR.TrackMode.Normal, true):front()
    assert(track and track:name() == track_name, "could not create track " .. track_name)
    local master_in = s:master_out():input()
    for c = 0, 1 do
      track:output():connect(track:output():audio(c), master_in:audio(c):name(), nil)
    end
    placed[#placed + 1] = { file = t.file, path = t.path, track = track_name, start = start, channels = channels,
      frames = frames, from_sidecar = t.start ~= nil }
    track, master_in = nil, nil
  end
end
assert(s:save_state("", false, false, false, false, false) == 0, "could not save the session")
s = nil
collectgarbage()

-- The saved session file: each take's audio file, sources, a whole-file region, and a region on its track's
-- (empty) playlist at the start sample. Ids far above Ardour's counter; the counter is raised past them.
local audiofiles = dir .. "/interchange/" .. dir:match("([^/]+)/*$") .. "/audiofiles"
assert(os.execute("mkdir -p '" .. audiofiles .. "'"), "could not create " .. audiofiles)
local path = dir .. "/" .. name .. ".ardour"
local f = assert(io.open(path, "rb"))
local xml = f:read("a")
f:close()

local function insert_into(text, tag, lines)
  local empty_at, empty_to = text:find("<" .. tag .. "/>", 1, true)
  if empty_at then
    return text:sub(1, empty_at - 1) .. "<" .. tag .. ">\n" .. lines .. "  </" .. tag .. ">" .. text:sub(empty_to + 1)
  end
  local close_at = text:find("</" .. tag .. ">", 1, true)
  assert(close_at, "session XML: no <" .. tag .. ">")
  return text:sub(1, close_at - 1) .. lines .. text:sub(close_at)
end

local superclocks = tonumber(xml:match('superclocks%-per%-second="(%d+)"') or "282240000")
assert(superclocks % rate == 0, "the session's superclock rate is not a multiple of its sample rate")
local superclock_per_sample = superclocks // rate

local base = 880000000
for counter in xml:gmatch('id%-counter="(%d+)"') do base = math.max(base, tonumber(counter) + 1000) end
local next_id = base
local function new_id() next_id = next_id + 1; return next_id end

local sources, regions = "", ""
for _, p in ipairs(placed) do
  copy(p.path, audiofiles .. "/" .. p.file)
  local ids = {}
  for c = 0, p.channels - 1 do
    ids[c] = new_id()
    sources = sources .. string.format('    <Source name="%s" type="audio" flags="" id="%d" channel="%d" origin="%s" gain="1"/>\n',
      p.file, ids[c], c, p.file)
  end
  -- Ardour 7 keeps a region's place in its length, "a<duration>@a<position>" in superclock units (timecnt_t);
  -- a separate position attribute is not read.
  local function region(id, position, whole)
    local r = string.format('<Region name="%s" id="%d" type="audio" start="a0" length="a%d@a%d" whole-file="%d" ' ..
      'fade-in-active="0" fade-out-active="0" envelope-active="0" scale-amplitude="1" channels="%d"',
      p.track, id, p.frames * superclock_per_sample, position * superclock_per_sample, whole, p.channels)
    for c = 0, p.channels - 1 do
      r = r .. string.format(' source-%d="%d" master-source-%d="%d"', c, ids[c], c, ids[c])
    end
    return r .. "/>"
  end
  regions = regions .. "    " .. region(new_id(), 0, 1) .. "\n"
  local pattern = '<Playlist id="%d+" name="' .. p.track:gsub("%-", "%%-") .. '"[^>]*/>'
  local pl_at, pl_to = xml:find(pattern)
  assert(pl_at, "session XML: the empty playlist of track " .. p.track .. " not found")
  xml = xml:sub(1, pl_to - 2) .. ">\n      " .. region(new_id(), p.start, 0) .. "\n    </Playlist>" .. xml:sub(pl_to + 1)
end
if #placed > 0 then
  xml = insert_into(xml, "Sources", sources)
  xml = insert_into(xml, "Regions", regions)
  xml = xml:gsub('id%-counter="(%d+)"', function(n) return 'id-counter="' .. math.max(tonumber(n), next_id + 1) .. '"' end, 1)
  f = assert(io.open(path, "wb"))
  f:write(xml)
  f:close()
end
for _, p in ipairs(placed) do
  print(string.format("imported %s track %s at %d (%s)", p.file, p.track, p.start,
    p.from_sidecar and "from its sidecar" or "from its bar in the session's tempo map"))
end
print(string.format("imported: %d takes", #placed))
