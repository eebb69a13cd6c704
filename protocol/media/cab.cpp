// SPDX-License-Identifier: GPL-2.0-or-later
#include "media/cab.h"

#include <mspack.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <new>

#include "core/ascii.h"

namespace msn::media {

namespace {

// libmspack passes the "file name" given to open() through untouched, so it points at one of
// these descriptors instead of naming a file.
struct Endpoint {
  const std::string_view* source = nullptr;  // reading: the cabinet bytes
  std::string* sink = nullptr;               // writing: one extracted file
  std::size_t sink_limit = 0;                // writing: the most bytes it may receive
};

// An open "file": libmspack opens the cabinet more than once, so each handle has its own position.
struct Handle {
  const Endpoint* endpoint;
  std::size_t pos = 0;
};

Handle* handle_of(mspack_file* file) { return reinterpret_cast<Handle*>(file); }

mspack_file* mem_open(mspack_system* /*self*/, const char* filename, int mode) {
  const auto* endpoint = reinterpret_cast<const Endpoint*>(filename);
  const bool reading = mode == MSPACK_SYS_OPEN_READ && endpoint->source != nullptr;
  const bool writing = mode == MSPACK_SYS_OPEN_WRITE && endpoint->sink != nullptr;
  if (!reading && !writing) return nullptr;
  auto* handle = new (std::nothrow) Handle{endpoint};
  return reinterpret_cast<mspack_file*>(handle);
}

void mem_close(mspack_file* file) { delete handle_of(file); }

int mem_read(mspack_file* file, void* buffer, int bytes) {
  Handle* h = handle_of(file);
  if (bytes < 0 || h->endpoint->source == nullptr) return -1;
  const std::string_view src = *h->endpoint->source;
  if (h->pos >= src.size()) return 0;
  const std::size_t n = std::min(static_cast<std::size_t>(bytes), src.size() - h->pos);
  std::memcpy(buffer, src.data() + h->pos, n);
  h->pos += n;
  return static_cast<int>(n);
}

int mem_write(mspack_file* file, void* buffer, int bytes) {
  Handle* h = handle_of(file);
  std::string* sink = h->endpoint->sink;
  if (bytes < 0 || sink == nullptr) return -1;
  // A file that decompresses to more than it declared is refused here, not after the fact.
  if (static_cast<std::size_t>(bytes) > h->endpoint->sink_limit - sink->size()) return -1;
  sink->append(static_cast<const char*>(buffer), static_cast<std::size_t>(bytes));
  return bytes;
}

int mem_seek(mspack_file* file, off_t offset, int mode) {
  Handle* h = handle_of(file);
  if (h->endpoint->source == nullptr) return -1;
  const auto size = static_cast<off_t>(h->endpoint->source->size());
  off_t base = 0;
  if (mode == MSPACK_SYS_SEEK_CUR)
    base = static_cast<off_t>(h->pos);
  else if (mode == MSPACK_SYS_SEEK_END)
    base = size;
  else if (mode != MSPACK_SYS_SEEK_START)
    return -1;
  if (offset > size || offset < -size) return -1;
  const off_t target = base + offset;
  if (target < 0 || target > size) return -1;
  h->pos = static_cast<std::size_t>(target);
  return 0;
}

off_t mem_tell(mspack_file* file) { return static_cast<off_t>(handle_of(file)->pos); }

// libmspack reports format problems through this; the result code says enough.
void mem_message(mspack_file* /*file*/, const char* /*format*/, ...) {}

void* mem_alloc(mspack_system* /*self*/, std::size_t bytes) { return std::malloc(bytes); }
void mem_free(void* p) { std::free(p); }
void mem_copy(void* src, void* dest, std::size_t bytes) { std::memmove(dest, src, bytes); }

mspack_system memory_system() {
  mspack_system sys{};
  sys.open = &mem_open;
  sys.close = &mem_close;
  sys.read = &mem_read;
  sys.write = &mem_write;
  sys.seek = &mem_seek;
  sys.tell = &mem_tell;
  sys.message = &mem_message;
  sys.alloc = &mem_alloc;
  sys.free = &mem_free;
  sys.copy = &mem_copy;
  sys.null_ptr = nullptr;
  return sys;
}

struct DecompressorDeleter {
  void operator()(mscab_decompressor* d) const noexcept { mspack_destroy_cab_decompressor(d); }
};
using DecompressorPtr = std::unique_ptr<mscab_decompressor, DecompressorDeleter>;

// A cabinet opened by a decompressor, closed by the same one.
class OpenCabinet {
 public:
  OpenCabinet(mscab_decompressor* d, mscabd_cabinet* cab) : d_(d), cab_(cab) {}
  OpenCabinet(const OpenCabinet&) = delete;
  OpenCabinet& operator=(const OpenCabinet&) = delete;
  ~OpenCabinet() {
    if (cab_ != nullptr) d_->close(d_, cab_);
  }
  const mscabd_cabinet* get() const { return cab_; }

 private:
  mscab_decompressor* d_;
  mscabd_cabinet* cab_;
};

bool is_plain_name(std::string_view name, std::size_t max_bytes) {
  if (name.empty() || name.size() > max_bytes || name == "." || name == "..") return false;
  for (char c : name) {
    if (c == '/' || c == '\\' || c == ':' || ascii::is_control(c)) return false;
  }
  return true;
}

// Checks the directory before any data is decompressed.
Status check_directory(const mscabd_cabinet* cab, const CabLimits& limits) {
  if (cab->next != nullptr || cab->prevcab != nullptr || cab->nextcab != nullptr ||
      (cab->flags & (MSCAB_HDR_PREVCAB | MSCAB_HDR_NEXTCAB)) != 0)
    return make_error(Errc::kProtocol, "cab: spans several cabinets");
  std::size_t count = 0;
  std::size_t total = 0;
  for (const mscabd_file* f = cab->files; f != nullptr; f = f->next) {
    if (++count > limits.max_files)
      return make_error(Errc::kLimit,
                        "cab: more than " + std::to_string(limits.max_files) + " files");
    const std::string_view name =
        f->filename != nullptr ? std::string_view(f->filename) : std::string_view();
    if (!is_plain_name(name, limits.max_name_bytes))
      return make_error(Errc::kProtocol, "cab: a file name is not a plain name");
    if (f->length > limits.max_extracted_bytes - total)
      return make_error(Errc::kLimit, "cab: files larger than " +
                                          std::to_string(limits.max_extracted_bytes) + " bytes");
    total += f->length;
  }
  if (count == 0) return make_error(Errc::kProtocol, "cab: no files");
  return Status::ok();
}

}  // namespace

Result<std::vector<CabFile>> extract_cab(std::string_view cab, const CabLimits& limits) {
  if (cab.size() > limits.max_cab_bytes)
    return make_error(Errc::kLimit, "cab: " + std::to_string(cab.size()) + " bytes");
  mspack_system sys = memory_system();
  DecompressorPtr decompressor(mspack_create_cab_decompressor(&sys));
  if (!decompressor) return make_error(Errc::kProtocol, "cab: libmspack refused to start");
  mscab_decompressor* d = decompressor.get();
  // Stop at the first damaged block instead of returning partial files.
  d->set_param(d, MSCABD_PARAM_FIXMSZIP, 0);
  d->set_param(d, MSCABD_PARAM_SALVAGE, 0);
  const std::string_view source = cab;
  const Endpoint input{&source};
  OpenCabinet opened(d, d->open(d, reinterpret_cast<const char*>(&input)));
  if (opened.get() == nullptr)
    return make_error(Errc::kProtocol, "cab: not a cabinet (libmspack error " +
                                           std::to_string(d->last_error(d)) + ")");
  MSN_TRY(check_directory(opened.get(), limits));
  std::vector<CabFile> files;
  for (mscabd_file* f = opened.get()->files; f != nullptr; f = f->next) {
    CabFile out{f->filename, {}};
    out.data.reserve(f->length);
    const Endpoint output{nullptr, &out.data, f->length};
    const int err = d->extract(d, f, reinterpret_cast<const char*>(&output));
    if (err != MSPACK_ERR_OK || out.data.size() != f->length)
      return make_error(Errc::kProtocol, "cab: a file does not extract (libmspack error " +
                                             std::to_string(err) + ")");
    files.push_back(std::move(out));
  }
  return files;
}

const CabFile* find_cab_file(const std::vector<CabFile>& files, std::string_view name) {
  for (const auto& f : files) {
    if (ascii::iequals(f.name, name)) return &f;
  }
  return nullptr;
}

}  // namespace msn::media
