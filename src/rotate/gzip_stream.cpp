#include "rotate/gzip_stream.hpp"

#include <zlib.h>

#include <algorithm>
#include <span>
#include <vector>

#include <fmt/format.h>

namespace pm {
namespace {

constexpr int kGzipWindowBits = 15 + 16;  // zlib's way of asking for a gzip header and trailer
constexpr int kMemoryLevel = 8;

// A z_stream set up for deflate or inflate, with its input and output
// buffers of one chunk each.
class ZStream {
 public:
  explicit ZStream(bool deflating) : deflating_(deflating), input_(kCopyChunk), output_(kCopyChunk) {
    ok_ = deflating ? deflateInit2(&stream_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindowBits, kMemoryLevel,
                                   Z_DEFAULT_STRATEGY) == Z_OK
                    : inflateInit2(&stream_, kGzipWindowBits) == Z_OK;
  }
  ~ZStream() {
    if (!ok_) return;
    if (deflating_) {
      deflateEnd(&stream_);
    } else {
      inflateEnd(&stream_);
    }
  }
  ZStream(const ZStream&) = delete;
  ZStream& operator=(const ZStream&) = delete;

  bool ok() const { return ok_; }
  z_stream* get() { return &stream_; }

  // Reads the next chunk of `fd` as the stream's input; returns its size, 0
  // at the end of the file.
  std::expected<std::size_t, IoError> refill(int fd, Deadline deadline) {
    if (deadline.expired()) return std::unexpected(IoError{0, false, true});
    auto count = read_at(fd, input_, offset_);
    if (!count) return count;
    offset_ += *count;
    stream_.next_in = reinterpret_cast<Bytef*>(input_.data());
    stream_.avail_in = static_cast<uInt>(*count);
    return *count;
  }
  // Points the stream's output at the empty output buffer.
  void clear_output() {
    stream_.next_out = reinterpret_cast<Bytef*>(output_.data());
    stream_.avail_out = static_cast<uInt>(output_.size());
  }
  // What the last deflate or inflate call wrote since clear_output().
  std::span<const char> produced() const {
    return std::span(output_).first(output_.size() - stream_.avail_out);
  }
  bool output_full() const { return stream_.avail_out == 0; }

 private:
  z_stream stream_{};
  bool deflating_;
  bool ok_ = false;
  std::vector<char> input_;
  std::vector<char> output_;
  std::uint64_t offset_ = 0;  // of the input file
};

}  // namespace

std::expected<void, std::string> gzip_file(int in, int out, Deadline deadline, std::string_view in_path,
                                           std::string_view out_path) {
  ZStream zip(/*deflating=*/true);
  if (!zip.ok()) return std::unexpected("cannot start zlib compression (out of memory?)");
  int flush = Z_NO_FLUSH;
  while (flush != Z_FINISH) {
    auto count = zip.refill(in, deadline);
    if (!count) return std::unexpected(describe(count.error(), in_path, out_path));
    flush = *count == 0 ? Z_FINISH : Z_NO_FLUSH;
    do {
      zip.clear_output();
      deflate(zip.get(), flush);  // cannot fail with a valid stream and room to write
      if (auto written = write_all(out, zip.produced()); !written) {
        return std::unexpected(describe(written.error(), in_path, out_path));
      }
    } while (zip.output_full());
  }
  return {};
}

std::expected<bool, std::string> gzip_matches(int gz, int plain, Deadline deadline, std::string_view gz_path,
                                              std::string_view plain_path) {
  ZStream unzip(/*deflating=*/false);
  if (!unzip.ok()) return std::unexpected("cannot start zlib decompression (out of memory?)");
  z_stream* stream = unzip.get();
  std::vector<char> expected(kCopyChunk);
  std::uint64_t plain_offset = 0;
  int status = Z_OK;
  while (status != Z_STREAM_END) {
    auto count = unzip.refill(gz, deadline);
    if (!count) return std::unexpected(describe(count.error(), gz_path, plain_path));
    if (*count == 0) return std::unexpected(fmt::format("{} is cut short (not a whole gzip file)", gz_path));
    while (stream->avail_in > 0 && status != Z_STREAM_END) {
      unzip.clear_output();
      status = inflate(stream, Z_NO_FLUSH);
      if (status != Z_OK && status != Z_STREAM_END) {
        return std::unexpected(fmt::format("{} is not valid gzip data ({})", gz_path,
                                           stream->msg != nullptr ? stream->msg : "corrupt"));
      }
      std::span<const char> produced = unzip.produced();
      auto read = read_at(plain, std::span(expected).first(produced.size()), plain_offset);
      if (!read) return std::unexpected(describe(read.error(), plain_path, gz_path));
      if (*read != produced.size() || !std::ranges::equal(produced, std::span(expected).first(*read)))
        return false;
      plain_offset += produced.size();
    }
  }
  // The plain file must end where the gzip data does.
  char extra = 0;
  auto tail = read_at(plain, std::span(&extra, 1), plain_offset);
  if (!tail) return std::unexpected(describe(tail.error(), plain_path, gz_path));
  return *tail == 0;
}

}  // namespace pm
