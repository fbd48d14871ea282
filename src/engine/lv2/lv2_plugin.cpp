#include "engine/lv2/lv2_plugin.h"

#include <lv2/atom/util.h>
#include <lv2/buf-size/buf-size.h>
#include <lv2/presets/presets.h>
#include <lv2/urid/urid.h>
#include <lv2/worker/worker.h>
#include <serd/serd.h>

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <map>

#include "core/realtime_scope.h"
#include "engine/lv2/lv2_world.h"
#include "engine/lv2/refused_plugins.h"
#include "engine/lv2/running_plugin.h"

namespace tactus::lv2 {

namespace {

// Room for the MIDI of one chunk: a few hundred messages (an event is 16 bytes of header + 8 of body).
constexpr std::size_t kDefaultAtomBytes = 8192;

// A plugin's log: printed off the audio thread, dropped on it (printing there could block).
int log_vprintf(LV2_Log_Handle, LV2_URID, const char* format, va_list args) {
    if (in_realtime_scope()) return 0;
    std::fputs("lv2 plugin: ", stderr);
    return std::vfprintf(stderr, format, args);
}

int log_printf(LV2_Log_Handle handle, LV2_URID type, const char* format, ...) {
    va_list args;
    va_start(args, format);
    const int n = log_vprintf(handle, type, format, args);
    va_end(args);
    return n;
}

// The plugin lists worker:schedule among its required or optional features.
bool uses_worker(const std::string& uri) {
    World& world = World::shared();
    auto guard = world.lock();
    const LilvPlugin* plugin = world.plugin(uri);
    if (!plugin) return false;
    LilvNode* schedule = lilv_new_uri(world.lilv(), LV2_WORKER__schedule);
    const bool uses = lilv_plugin_has_feature(plugin, schedule);
    lilv_node_free(schedule);
    return uses;
}

// What a state text says, read with serd before lilv sees it: lilv's reader keeps what it read before
// a syntax error without a word, and crashes on Turtle without a pset:Preset.
struct StateText {
    SerdEnv* env = serd_env_new(nullptr);
    std::string error;                              // the first syntax error
    std::vector<std::string> presets;               // subjects that are a pset:Preset
    std::map<std::string, std::string> applies_to;  // subject -> its lv2:appliesTo (a URI)

    // lilv writes a state without @prefix lines: its reader knows these (as lilv's set_prefixes).
    StateText() {
        for (const auto& [name, uri] : {std::pair{"atom", LV2_ATOM_PREFIX},
                                        {"lilv", LILV_NS_LILV},
                                        {"lv2", LV2_CORE_PREFIX},
                                        {"pset", LV2_PRESETS_PREFIX},
                                        {"rdf", LILV_NS_RDF},
                                        {"rdfs", LILV_NS_RDFS},
                                        {"state", LV2_STATE_PREFIX},
                                        {"xsd", LILV_NS_XSD}})
            serd_env_set_prefix_from_strings(env, reinterpret_cast<const std::uint8_t*>(name),
                                             reinterpret_cast<const std::uint8_t*>(uri));
    }
    ~StateText() { serd_env_free(env); }
    std::string name(const SerdNode* node) const {
        const std::string raw(reinterpret_cast<const char*>(node->buf), node->n_bytes);
        if (node->type == SERD_BLANK) return "_:" + raw;
        if (node->type != SERD_URI && node->type != SERD_CURIE) return "\"" + raw;  // a literal
        SerdNode full = serd_env_expand_node(env, node);
        std::string uri = full.buf ? std::string(reinterpret_cast<const char*>(full.buf), full.n_bytes) : raw;
        serd_node_free(&full);
        return uri;
    }
};

// False with *why when `text` is not Turtle holding one pset:Preset that applies to `plugin_uri`.
bool check_state_text(const std::string& text, const std::string& plugin_uri, std::string* why) {
    if (text.find('\0') != std::string::npos) {
        *why = "is not valid Turtle (it contains a NUL byte)";
        return false;
    }
    StateText read;
    SerdReader* reader = serd_reader_new(
        SERD_TURTLE, &read, nullptr,
        [](void* h, const SerdNode* uri) {
            return serd_env_set_base_uri(static_cast<StateText*>(h)->env, uri);
        },
        [](void* h, const SerdNode* name, const SerdNode* uri) {
            return serd_env_set_prefix(static_cast<StateText*>(h)->env, name, uri);
        },
        [](void* h, SerdStatementFlags, const SerdNode*, const SerdNode* subject, const SerdNode* predicate,
           const SerdNode* object, const SerdNode*, const SerdNode*) {
            auto& r = *static_cast<StateText*>(h);
            const std::string p = r.name(predicate), o = r.name(object);
            if (p == LILV_NS_RDF "type" && o == LV2_PRESETS__Preset) r.presets.push_back(r.name(subject));
            if (p == LV2_CORE__appliesTo) r.applies_to[r.name(subject)] = o;
            return SERD_SUCCESS;
        },
        nullptr);
    serd_reader_set_error_sink(
        reader,
        [](void* h, const SerdError* e) {
            auto& r = *static_cast<StateText*>(h);
            if (!r.error.empty()) return e->status;
            char message[256];
            va_list args;
            va_copy(args, *e->args);
            std::vsnprintf(message, sizeof message, e->fmt, args);
            va_end(args);
            r.error =
                "line " + std::to_string(e->line) + ", column " + std::to_string(e->col) + ": " + message;
            while (r.error.back() == '\n' || r.error.back() == ' ') r.error.pop_back();
            return e->status;
        },
        &read);
    const SerdStatus status =
        serd_reader_read_string(reader, reinterpret_cast<const std::uint8_t*>(text.c_str()));
    serd_reader_free(reader);
    if (status != SERD_SUCCESS) {
        *why = "is not valid Turtle (" + (read.error.empty() ? std::string("unreadable") : read.error) + ")";
        return false;
    }
    if (read.presets.size() != 1) {
        *why = read.presets.empty() ? "is not LV2 state (no pset:Preset with a state:state)"
                                    : "holds more than one pset:Preset";
        return false;
    }
    const auto applies = read.applies_to.find(read.presets.front());
    if (applies == read.applies_to.end() || applies->second.starts_with('"') ||
        applies->second.starts_with("_:")) {
        *why = "names no plugin (lv2:appliesTo)";
        return false;
    }
    if (applies->second != plugin_uri) {
        *why = "is for another plugin, <" + applies->second + ">";
        return false;
    }
    return true;
}

constexpr std::uint32_t kStateFlags = LV2_STATE_IS_POD | LV2_STATE_IS_PORTABLE;
constexpr const char* kStateUri = "urn:tactus:state";

}  // namespace

std::unique_ptr<Plugin> Plugin::create(const std::string& uri, double sample_rate, int chunk_frames,
                                       std::string* error, WorkerMode worker) {
    auto info = find_plugin(uri, error);
    if (!info) return nullptr;
    if (const std::string why = refused_reason(uri); !why.empty()) {
        if (error) *error = info->label() + " was bypassed: " + why;
        return nullptr;
    }
    if (const std::string why = info->unplayable_reason(); !why.empty()) {
        if (error) *error = info->label() + " cannot be played: " + why;
        return nullptr;
    }
    std::unique_ptr<Plugin> p(new Plugin());
    p->whole_chunks_ =
        std::any_of(info->required_features.begin(), info->required_features.end(), [](const std::string& f) {
            return f == LV2_BUF_SIZE__fixedBlockLength || f == LV2_BUF_SIZE__powerOf2BlockLength;
        });
    p->info_ = std::move(*info);
    p->chunk_ = chunk_frames;
    World& world = World::shared();
    const Urids& u = world.urids();
    const char* const marked = p->info_.uri.c_str();  // names the plugin while its code runs

    p->sample_rate_f_ = static_cast<float>(sample_rate);
    p->min_block_ = p->max_block_ = p->nominal_block_ = chunk_frames;
    p->sequence_size_ = static_cast<std::int32_t>(kDefaultAtomBytes);
    for (const PortInfo& port : p->info_.ports)
        if (port.kind == PortKind::AtomIn || port.kind == PortKind::AtomOut)
            p->sequence_size_ = std::max(p->sequence_size_, std::int32_t(port.atom_size));
    p->options_ = {
        {LV2_OPTIONS_INSTANCE, 0, u.param_sampleRate, sizeof(float), u.atom_Float, &p->sample_rate_f_},
        {LV2_OPTIONS_INSTANCE, 0, u.bufsz_minBlockLength, sizeof(std::int32_t), u.atom_Int, &p->min_block_},
        {LV2_OPTIONS_INSTANCE, 0, u.bufsz_maxBlockLength, sizeof(std::int32_t), u.atom_Int, &p->max_block_},
        {LV2_OPTIONS_INSTANCE, 0, u.bufsz_nominalBlockLength, sizeof(std::int32_t), u.atom_Int,
         &p->nominal_block_},
        {LV2_OPTIONS_INSTANCE, 0, u.bufsz_sequenceSize, sizeof(std::int32_t), u.atom_Int, &p->sequence_size_},
        {LV2_OPTIONS_INSTANCE, 0, 0, 0, 0, nullptr},
    };
    p->log_ = {nullptr, log_printf, log_vprintf};
    p->features_ = {
        {LV2_URID__map, world.map_feature()},       {LV2_URID__unmap, world.unmap_feature()},
        {LV2_OPTIONS__options, p->options_.data()}, {LV2_BUF_SIZE__boundedBlockLength, nullptr},
        {LV2_BUF_SIZE__fixedBlockLength, nullptr},  {LV2_LOG__log, &p->log_},
    };
    if ((chunk_frames & (chunk_frames - 1)) == 0)
        p->features_.push_back({LV2_BUF_SIZE__powerOf2BlockLength, nullptr});
    if (uses_worker(uri)) {
        p->worker_ = std::make_unique<Worker>(worker);
        p->features_.push_back({LV2_WORKER__schedule, p->worker_->schedule_feature()});
    }
    for (const LV2_Feature& f : p->features_) p->feature_list_.push_back(&f);
    p->feature_list_.push_back(nullptr);

    // Buffers before instantiation: nothing below allocates once the instance exists.
    const std::size_t ports = p->info_.ports.size();
    p->control_values_.assign(ports, 0.0f);
    p->atom_buffers_.resize(ports);
    p->cv_scratch_.assign(std::size_t(chunk_frames), 0.0f);
    for (const PortInfo& port : p->info_.ports) {
        switch (port.kind) {
            case PortKind::ControlIn:
                p->control_ports_.push_back(port.index);
                p->controls_.push_back(&port);
                p->control_values_[port.index] = port.default_value;
                break;
            case PortKind::ControlOut:
                if (port.latency) p->latency_port_ = long(port.index);
                break;
            case PortKind::AudioIn:
                p->audio_in_.push_back(port.index);
                p->in_buffers_.emplace_back(std::size_t(chunk_frames), 0.0f);
                break;
            case PortKind::AudioOut:
                p->audio_out_.push_back(port.index);
                p->out_buffers_.emplace_back(std::size_t(chunk_frames), 0.0f);
                break;
            case PortKind::AtomIn:
            case PortKind::AtomOut:
                p->atom_buffers_[port.index].assign(std::size_t(p->sequence_size_) / 8 + 2, 0);
                break;
            default:
                break;
        }
    }
    // A mono-input effect reads the left channel; its right input buffer exists for the caller anyway.
    while (p->in_buffers_.size() < 2) p->in_buffers_.emplace_back(std::size_t(chunk_frames), 0.0f);

    {
        auto guard = world.lock();
        const LilvPlugin* plugin = world.plugin(uri);
        InPlugin in_plugin(marked);
        p->instance_ =
            plugin ? lilv_plugin_instantiate(plugin, sample_rate, p->feature_list_.data()) : nullptr;
    }
    if (!p->instance_) {
        if (error) *error = p->info_.label() + " failed to instantiate";
        return nullptr;
    }
    InPlugin in_plugin(marked);  // extension_data, connect_port, activate
    p->state_interface_ = static_cast<const LV2_State_Interface*>(
        lilv_instance_get_extension_data(p->instance_, LV2_STATE__interface));
    if (p->state_interface_ && (!p->state_interface_->save || !p->state_interface_->restore))
        p->state_interface_ = nullptr;
    if (p->worker_) {
        const auto* interface = static_cast<const LV2_Worker_Interface*>(
            lilv_instance_get_extension_data(p->instance_, LV2_WORKER__interface));
        if (interface && interface->work) {
            // The worker calls the plugin through MarkedWorker, which marks each call as in the plugin.
            MarkedWorker& m = p->marked_worker_;
            m.interface = {&MarkedWorker::work,
                           interface->work_response ? &MarkedWorker::work_response : nullptr,
                           interface->end_run ? &MarkedWorker::end_run : nullptr};
            m.plugin = interface;
            m.handle = lilv_instance_get_handle(p->instance_);
            m.uri = marked;
            p->worker_->attach(&m.interface, &m);
        } else {
            p->worker_->attach(nullptr, nullptr);  // its requests are refused
        }
    }
    std::size_t audio_in = 0, audio_out = 0;
    for (const PortInfo& port : p->info_.ports) {
        void* where = nullptr;
        switch (port.kind) {
            case PortKind::ControlIn:
            case PortKind::ControlOut:
                where = &p->control_values_[port.index];
                break;
            case PortKind::AudioIn:
                where = p->in_buffers_[audio_in++].data();
                break;
            case PortKind::AudioOut:
                where = p->out_buffers_[audio_out++].data();
                break;
            case PortKind::AtomIn:
            case PortKind::AtomOut: {
                auto* seq = reinterpret_cast<LV2_Atom_Sequence*>(p->atom_buffers_[port.index].data());
                where = seq;
                if (port.kind == PortKind::AtomIn && port.midi && !p->midi_in_) {
                    p->midi_in_ = seq;
                    p->midi_capacity_ = std::size_t(p->sequence_size_) - sizeof(LV2_Atom_Sequence);
                } else if (port.kind == PortKind::AtomOut) {
                    p->atom_outputs_.push_back(seq);
                }
                break;
            }
            default:
                where = port.optional ? nullptr : p->cv_scratch_.data();
                break;
        }
        lilv_instance_connect_port(p->instance_, port.index, where);
    }
    // Atom inputs that are not our MIDI input get an empty sequence every chunk.
    for (const PortInfo& port : p->info_.ports)
        if (port.kind == PortKind::AtomIn) {
            auto* seq = reinterpret_cast<LV2_Atom_Sequence*>(p->atom_buffers_[port.index].data());
            seq->atom = {sizeof(LV2_Atom_Sequence_Body), u.atom_Sequence};
            seq->body = {u.atom_FrameTime, 0};
        }
    p->events_.reserve(kMaxEventsPerChunk);
    p->atom_sequence_ = u.atom_Sequence;
    p->atom_chunk_ = u.atom_Chunk;
    p->atom_frame_time_ = u.atom_FrameTime;
    p->midi_event_ = u.midi_MidiEvent;
    p->write_midi(0, 0);
    lilv_instance_activate(p->instance_);
    return p;
}

Plugin::~Plugin() {
    if (worker_) worker_->detach();  // no work() of this instance runs past here
    if (!instance_) return;
    InPlugin in_plugin(info_.uri.c_str());
    lilv_instance_deactivate(instance_);
    lilv_instance_free(instance_);
}

std::string Plugin::save_state() const {
    if (!state_interface_) return {};
    World& world = World::shared();
    auto guard = world.lock();
    const LilvPlugin* plugin = world.plugin(info_.uri);
    if (!plugin) return {};
    // No port values (get_value nullptr): the controls are the document's parameters. No directories:
    // files the plugin names (an impulse response) are kept as absolute paths.
    LilvState* state = nullptr;
    {
        InPlugin in_plugin(info_.uri.c_str());  // the plugin's state save()
        state =
            lilv_state_new_from_instance(plugin, instance_, world.map_feature(), nullptr, nullptr, nullptr,
                                         nullptr, nullptr, nullptr, kStateFlags, feature_list_.data());
    }
    if (!state) return {};
    std::string text;
    if (lilv_state_get_num_properties(state) > 0) {
        if (char* turtle = lilv_state_to_string(world.lilv(), world.map_feature(), world.unmap_feature(),
                                                state, kStateUri, nullptr)) {
            text = turtle;
            lilv_free(turtle);
        }
    }
    lilv_state_free(state);
    return text;
}

bool Plugin::restore_state(const std::string& text, std::string* error) {
    if (text.empty()) return true;
    const auto fail = [&](const std::string& why) {
        if (error) *error = info_.label() + ": " + why;
        return false;
    };
    if (!state_interface_)
        return fail("it has no LV2 state interface, so its saved state cannot be restored");
    if (std::string why; !check_state_text(text, info_.uri, &why)) return fail("its saved state " + why);
    World& world = World::shared();
    LilvState* state = nullptr;
    {
        auto guard = world.lock();
        state = lilv_state_new_from_string(world.lilv(), world.map_feature(), text.c_str());
        if (!state) return fail("its saved state is not LV2 state (no pset:Preset with a state:state)");
    }
    // Outside the world's lock: a plugin may take long to restore (it loads its files). Work it
    // schedules meanwhile runs here, and its responses reach it before this returns.
    {
        InPlugin in_plugin(info_.uri.c_str());  // the plugin's restore(), its work and responses
        if (worker_) worker_->work_inline(true);
        lilv_state_restore(state, instance_, nullptr, nullptr, kStateFlags, feature_list_.data());
        if (worker_) {
            worker_->work_inline(false);
            worker_->deliver_responses();
        }
    }
    auto guard = world.lock();
    lilv_state_free(state);
    return true;
}

void Plugin::set_control(std::size_t i, float value) {
    if (i >= controls_.size()) return;
    if (!std::isfinite(value)) return;  // a plugin is never handed NaN or infinity
    const PortInfo& port = *controls_[i];
    float v = std::clamp(value, std::min(port.minimum, port.maximum), std::max(port.minimum, port.maximum));
    if (port.integer || port.enumeration) v = std::round(v);
    if (port.toggled) v = v > 0.0f ? 1.0f : 0.0f;
    control_values_[control_ports_[i]] = v;
}

long Plugin::control_index(const std::string& symbol) const {
    for (std::size_t i = 0; i < controls_.size(); ++i)
        if (controls_[i]->symbol == symbol) return long(i);
    return -1;
}

int Plugin::reported_latency() const {
    return latency_port_ < 0
               ? 0
               : std::max(0, static_cast<int>(std::lround(control_values_[std::size_t(latency_port_)])));
}

void Plugin::write_midi(int from, int to) {
    if (!midi_in_) return;
    midi_in_->atom = {sizeof(LV2_Atom_Sequence_Body), atom_sequence_};
    midi_in_->body = {atom_frame_time_, 0};
    auto* at = reinterpret_cast<std::uint8_t*>(&midi_in_->body) + sizeof(LV2_Atom_Sequence_Body);
    std::size_t used = 0;
    for (; events_sent_ < events_.size() && events_[events_sent_].frame < to; ++events_sent_) {
        const MidiEvent& e = events_[events_sent_];
        const std::size_t need = sizeof(LV2_Atom_Event) + lv2_atom_pad_size(e.size);
        if (used + need > midi_capacity_) continue;  // cannot happen with kMaxEventsPerChunk small events
        auto* event = reinterpret_cast<LV2_Atom_Event*>(at + used);
        event->time.frames = e.frame - from;
        event->body = {e.size, midi_event_};
        std::memcpy(event + 1, e.bytes, e.size);
        used += need;
    }
    midi_in_->atom.size += static_cast<std::uint32_t>(used);
}

bool Plugin::add_midi(int frame, const std::uint8_t* bytes, std::uint32_t size) {
    if (!midi_in_ || size == 0 || size > 4 || events_.size() == kMaxEventsPerChunk) return false;
    MidiEvent e{std::clamp(frame, 0, chunk_ - 1), size, {}};
    std::memcpy(e.bytes, bytes, size);
    events_.push_back(e);  // within the reserved capacity: no allocation
    return true;
}

void Plugin::run(int from, int to) {
    InPlugin in_plugin(info_.uri.c_str());  // connect_port, run, the worker's responses and end_run
    std::size_t in = 0, out = 0;
    for (unsigned port : audio_in_)
        lilv_instance_connect_port(instance_, port, in_buffers_[in++].data() + from);
    for (unsigned port : audio_out_)
        lilv_instance_connect_port(instance_, port, out_buffers_[out++].data() + from);
    write_midi(from, to);
    // Output sequences tell the plugin their capacity (it overwrites the size with what it wrote).
    for (LV2_Atom_Sequence* seq : atom_outputs_)
        seq->atom = {static_cast<std::uint32_t>(sequence_size_) - std::uint32_t(sizeof(LV2_Atom)),
                     atom_chunk_};
    if (worker_) worker_->before_run();
    lilv_instance_run(instance_, static_cast<std::uint32_t>(to - from));
    if (worker_) worker_->after_run();
    if (to >= chunk_) {
        events_.clear();
        events_sent_ = 0;
    }
}

LV2_Worker_Status Plugin::MarkedWorker::work(LV2_Handle self, LV2_Worker_Respond_Function respond,
                                             LV2_Worker_Respond_Handle respond_handle, std::uint32_t size,
                                             const void* data) {
    const auto& m = *static_cast<const MarkedWorker*>(self);
    InPlugin in_plugin(m.uri);
    return m.plugin->work(m.handle, respond, respond_handle, size, data);
}

LV2_Worker_Status Plugin::MarkedWorker::work_response(LV2_Handle self, std::uint32_t size, const void* body) {
    const auto& m = *static_cast<const MarkedWorker*>(self);
    InPlugin in_plugin(m.uri);
    return m.plugin->work_response(m.handle, size, body);
}

LV2_Worker_Status Plugin::MarkedWorker::end_run(LV2_Handle self) {
    const auto& m = *static_cast<const MarkedWorker*>(self);
    InPlugin in_plugin(m.uri);
    return m.plugin->end_run(m.handle);
}

}  // namespace tactus::lv2
