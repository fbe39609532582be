-- Builds a headless Ardour 7 session: one stereo track holding a WAV clip from sample 0, one plugin first
-- in the track's chain with the given parameter values, the session range over the clip, the given tempo.
-- Run by segue-ardour-render through ardour7-lua (then again with SEGUE_CHECK=1 to check the saved session);
-- it reads its inputs from the environment:
--   SEGUE_SESSION_DIR, SEGUE_SESSION_NAME   where to create the session (the folder must not exist)
--   SEGUE_CLIP                              a stereo PCM/float WAV; its rate becomes the session rate
--   SEGUE_BPM                               the session tempo (quarter notes per minute)
--   SEGUE_METER                             the meter, "4/4" (default) or e.g. "3/4"
--   SEGUE_TRACK                             the track's name
--   SEGUE_PLUGIN, SEGUE_PLUGIN_TYPE         plugin URI or name, and LV2 or VST3
--   SEGUE_PARAMS                            "name=value" lines matched to the plugin's parameter names as
--                                           Ardour shows them, case and punctuation ignored ("Auto-fire at bar")
-- Lua cannot import audio, so the clip's <Source>, <Region>, playlist entry and session range are written
-- into the saved session XML (the region at sample 0; Ardour 7 reads a region's position from its length,
-- "a<duration>@a<position>", so a plain count works only for position 0).
-- SEGUE_SET=1: load the saved session instead, set the SEGUE_PARAMS values on the plugin, let the engine run
-- 1 s (a VST3 takes them in process()) and save: a producer turning knobs in an existing project.

local function need(name)
  local v = os.getenv(name)
  if v == nil or v == "" then error("make-session.lua: " .. name .. " is not set") end
  return v
end

local dir, name = need("SEGUE_SESSION_DIR"), need("SEGUE_SESSION_NAME")
local clip, track_name = need("SEGUE_CLIP"), need("SEGUE_TRACK")
local bpm = tonumber(need("SEGUE_BPM"))
local meter_num, meter_den = (os.getenv("SEGUE_METER") or "4/4"):match("^(%d+)/(%d+)$")
assert(meter_num and tonumber(meter_num) >= 1 and tonumber(meter_num) <= 16 and (meter_den == "4" or meter_den == "8"),
  "SEGUE_METER: N/4 or N/8")
local plugin_id, plugin_type = need("SEGUE_PLUGIN"), need("SEGUE_PLUGIN_TYPE")
local params = os.getenv("SEGUE_PARAMS") or ""
assert(bpm and bpm >= 20 and bpm <= 400, "SEGUE_BPM out of range 20..400")
assert(track_name:match("^[%w_%-]+$"), "SEGUE_TRACK: letters, digits, _ and - only")

-- "name=value" lines, and a plugin's input parameter index by the name Ardour shows (case and punctuation
-- ignored), as set_processor_param / get_processor_param number them.
local function parameter_lines(text)
  local out = {}
  for line in text:gmatch("[^\n]+") do
    local pname, pvalue = line:match("^(.-)=([%-%d%.]+)$")
    assert(pname and tonumber(pvalue), "SEGUE_PARAMS: bad line '" .. line .. "'")
    out[#out + 1] = { name = pname, value = tonumber(pvalue) }
  end
  return out
end

local function key(label) return (label:lower():gsub("[^%w]", "")) end
local function parameter_index(proc, pname)
  local plug = proc:to_insert():plugin(0)
  local labels = {}
  for i = 0, plug:parameter_count() - 1 do
    local pid = plug:nth_parameter(i, true)
    if plug:parameter_is_control(pid) and plug:parameter_is_input(pid) then
      local label = plug:parameter_label(pid)
      if key(label) == key(pname) then return i end
      labels[#labels + 1] = label
    end
  end
  error("the plugin has no parameter '" .. pname .. "'; it has: " .. table.concat(labels, ", "))
end

if os.getenv("SEGUE_SET") == "1" then
  AudioEngine:set_backend("None (Dummy)", "", "")
  local s = load_session(dir, name)
  assert(s, "the session does not load")
  local loaded = s:route_by_name(track_name):nth_plugin(0)
  assert(not loaded:isnil(), "the session has no plugin on " .. track_name)
  for _, want in ipairs(parameter_lines(params)) do
    assert(ARDOUR.LuaAPI.set_processor_param(loaded, parameter_index(loaded, want.name), want.value), "could not set " .. want.name)
    print(string.format("param %s = %s", want.name, want.value))
  end
  ARDOUR.LuaAPI.usleep(1000000)
  assert(s:save_state("", false, false, false, false, false) == 0, "could not save the session")
  loaded = nil
  collectgarbage()
  print("set: the session keeps the new values")
  return
end

-- SEGUE_CHECK=1: load the finished session in a fresh process, as ardour7-export will, and check that the
-- plugin kept every value (a fresh process: closing and reopening a session in one process is another test).
if os.getenv("SEGUE_CHECK") == "1" then
  AudioEngine:set_backend("None (Dummy)", "", "")
  local s = load_session(dir, name)
  assert(s, "the written session does not load")
  local loaded = s:route_by_name(track_name):nth_plugin(0)
  assert(not loaded:isnil(), "the session has no plugin on " .. track_name)
  for _, want in ipairs(parameter_lines(params)) do
    local got = ARDOUR.LuaAPI.get_processor_param(loaded, parameter_index(loaded, want.name), true)
    assert(math.abs(got - want.value) < 1e-3,
      string.format("%s is %s in the saved session, not %s", want.name, got, want.value))
  end
  print("checked: the saved session keeps every parameter value")
  return
end

-- The clip's format from its RIFF header: rate, channels, frames (the data chunk over the block size).
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
      channels, rate = string.unpack("<I2", fmt, 3), string.unpack("<I4", fmt, 5)
      block = string.unpack("<I2", fmt, 13)
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

local rate, channels, frames = wav_info(clip)
assert(channels == 2, "the clip must be stereo (the plugin is stereo in/out); got " .. channels .. " channels")

local types = { LV2 = ARDOUR.PluginType.LV2, VST3 = ARDOUR.PluginType.VST3 }
assert(types[plugin_type], "SEGUE_PLUGIN_TYPE must be LV2 or VST3")

AudioEngine:set_backend("None (Dummy)", "", "")
local s = create_session(dir, name, rate)
assert(s, "could not create the session at " .. dir)

local track = s:new_audio_track(2, 2, nil, 1, track_name, ARDOUR.PresentationInfo.max_order,
  ARDOUR.TrackMode.Normal, true):front()
assert(track and track:name() == track_name, "could not create track " .. track_name)

-- Ardour auto-connects new tracks from a background thread, which may not have run by the time the state
-- is saved (seen with VST3, whose instantiation is slower): connect track -> master here, and check it.
local master_in = s:master_out():input()
for c = 0, 1 do
  local port = track:output():audio(c)
  track:output():connect(port, master_in:audio(c):name(), nil) -- non-zero also when already connected
  assert(port:connected_to(master_in:audio(c):name()), "the track does not feed the master bus")
end

local proc = ARDOUR.LuaAPI.new_plugin(s, plugin_id, types[plugin_type], "")
assert(not proc:isnil(), "Ardour does not find plugin '" .. plugin_id .. "' (" .. plugin_type .. ")")
assert(track:add_processor_by_index(proc, 0, nil, true) == 0, "could not add the plugin to the track")

for _, want in ipairs(parameter_lines(params)) do
  local index = parameter_index(proc, want.name)
  assert(ARDOUR.LuaAPI.set_processor_param(proc, index, want.value), "could not set " .. want.name)
  print(string.format("param %s = %s", want.name, want.value))
end

-- A VST3 processor takes parameter changes inside process(), and Ardour saves the processor's own state
-- chunk, which it restores over the values above on load: let the engine run some cycles first, as
-- the time between a producer turning a knob and saving.
ARDOUR.LuaAPI.usleep(1000000)
assert(s:save_state("", false, false, false, false, false) == 0, "could not save the session")
-- Drop this script's references to Ardour objects while the session is alive: an IO released by Lua's
-- final garbage collection, after the session is gone, deadlocked ardour7-lua at exit (seen once).
master_in, track, proc = nil, nil, nil
collectgarbage()

-- Copy the clip where Ardour keeps a session's audio files.
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
-- Ardour names the folder after the session folder's base name and creates it only when it first needs it.
local clip_file = "clip.wav"
local audiofiles = dir .. "/interchange/" .. dir:match("([^/]+)/*$") .. "/audiofiles"
assert(not audiofiles:find("'", 1, true), "no quotes in the session path, please")
assert(os.execute("mkdir -p '" .. audiofiles .. "'"), "could not create " .. audiofiles)
copy(clip, audiofiles .. "/" .. clip_file)

-- Splice the clip into the saved XML. Ids far above Ardour's counter; the counter is raised past them.
local path = dir .. "/" .. name .. ".ardour"
local f = assert(io.open(path, "rb"))
local xml = f:read("a")
f:close()

local function replace_once(text, old, new)
  local at, to = text:find(old, 1, true)
  assert(at, "session XML: '" .. old .. "' not found")
  assert(not text:find(old, to + 1, true), "session XML: '" .. old .. "' found twice")
  return text:sub(1, at - 1) .. new .. text:sub(to + 1)
end

local src_l, src_r, whole, placed, range = 900001, 900002, 900003, 900004, 900005
local function region(id, whole_file)
  return string.format('<Region name="clip" id="%d" type="audio" start="0" length="%d" position="0" ' ..
    'whole-file="%d" fade-in-active="0" fade-out-active="0" envelope-active="0" scale-amplitude="1" ' ..
    'channels="2" source-0="%d" source-1="%d" master-source-0="%d" master-source-1="%d"/>',
    id, frames, whole_file, src_l, src_r, src_l, src_r)
end
xml = replace_once(xml, "<Sources/>", string.format(
  '<Sources>\n    <Source name="%s" type="audio" flags="" id="%d" channel="0" origin="%s" gain="1"/>\n' ..
  '    <Source name="%s" type="audio" flags="" id="%d" channel="1" origin="%s" gain="1"/>\n  </Sources>',
  clip_file, src_l, clip_file, clip_file, src_r, clip_file))
xml = replace_once(xml, "<Regions/>", "<Regions>\n    " .. region(whole, 1) .. "\n  </Regions>")
xml = replace_once(xml, "<Locations/>", string.format('<Locations>\n    <Location id="%d" name="session" ' ..
  'start="0" end="%d" flags="IsSessionRange" locked="0"/>\n  </Locations>', range, frames))

-- The track's playlist is the one element of <Playlists>, empty: give it the placed region.
local pl_at, pl_to = xml:find('<Playlist id="%d+" name="' .. track_name:gsub("%-", "%%-") .. '"[^>]*/>')
assert(pl_at, "session XML: the track's empty playlist not found")
xml = xml:sub(1, pl_to - 2) .. ">\n      " .. region(placed, 0) .. "\n    </Playlist>" .. xml:sub(pl_to + 1)

-- Tempo and meter: constant from the start (Ardour's defaults are 120 and 4/4).
local tempo_at = xml:find('<Tempo npm="120" enpm="120" note-type="4"', 1, true)
assert(tempo_at, "session XML: the default tempo not found")
xml = replace_once(xml, '<Tempo npm="120" enpm="120" note-type="4"',
  string.format('<Tempo npm="%s" enpm="%s" note-type="4"', bpm, bpm))
xml = replace_once(xml, '<Meter note-value="4" divisions-per-bar="4"',
  string.format('<Meter note-value="%s" divisions-per-bar="%s"', meter_den, meter_num))
xml = xml:gsub('id%-counter="(%d+)"', function(n) return 'id-counter="' .. math.max(tonumber(n), range + 1) .. '"' end, 1)

f = assert(io.open(path, "wb"))
f:write(xml)
f:close()
print(string.format("session %s: %d Hz, %d frames, %s bpm %s/%s, plugin %s (%s)", path, rate, frames, bpm, meter_num,
  meter_den, plugin_id, plugin_type))
