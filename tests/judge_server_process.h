// tests/judge_server.py (an OpenAI-compatible judge with injected faults) as a child process on
// a free port, for the judge client's tests and the end-to-end `ppbench judge` test.
#pragma once
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ppb::test {

inline std::string server_script() {
  if (const char* dir = std::getenv("PPB_SOURCE_DIR")) return std::string(dir) + "/tests/judge_server.py";
  return (std::filesystem::path(__FILE__).parent_path() / "judge_server.py").string();
}

// tests/judge_server.py as a child process on a free port.
class JudgeServer {
 public:
  explicit JudgeServer(const std::string& key, const std::vector<std::string>& extra = {}) {
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
    std::vector<std::string> args = {"python3", server_script(), "--api-key", key};
    args.insert(args.end(), extra.begin(), extra.end());
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(fds[1], 1);
      ::close(fds[0]);
      ::close(fds[1]);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execvp("python3", argv.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    fd_ = fds[0];
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 200) <= 0) continue;
      char buf[64];
      const ssize_t got = ::read(fd_, buf, sizeof buf);
      if (got <= 0) break;
      line.append(buf, static_cast<size_t>(got));
    }
    port_ = std::atoi(line.c_str());
    if (port_ <= 0) throw std::runtime_error("judge_server.py did not start (" + server_script() + ")");
  }
  ~JudgeServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
    if (fd_ >= 0) ::close(fd_);
  }
  JudgeServer(const JudgeServer&) = delete;
  JudgeServer& operator=(const JudgeServer&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }
  std::string root() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // GET /stats over a plain socket.
  nlohmann::json stats() const {
    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port_));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(s);
      throw std::runtime_error("cannot reach the judge server");
    }
    const std::string req = "GET /stats HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    (void)!::write(s, req.data(), req.size());
    std::string resp;
    char buf[4096];
    ssize_t got;
    while ((got = ::read(s, buf, sizeof buf)) > 0) resp.append(buf, static_cast<size_t>(got));
    ::close(s);
    return nlohmann::json::parse(resp.substr(resp.find("\r\n\r\n") + 4));
  }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  int port_ = 0;
};


}  // namespace ppb::test
