// SPDX-License-Identifier: GPL-2.0-or-later
// RAII owners for C handles (BoringSSL-style typed deleters). Every xmlDoc, EVP context and
// similar handle in the engine lives in one of these, never in a naked pointer.
#pragma once

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <memory>

namespace msn {

template <typename T, void (*Free)(T*)>
struct CDeleter {
  void operator()(T* p) const noexcept {
    if (p != nullptr) Free(p);
  }
};

template <typename T, void (*Free)(T*)>
using UniqueC = std::unique_ptr<T, CDeleter<T, Free>>;

inline void free_xml_char(xmlChar* p) { xmlFree(p); }

using XmlDocPtr = UniqueC<xmlDoc, xmlFreeDoc>;
using XmlParserCtxtPtr = UniqueC<xmlParserCtxt, xmlFreeParserCtxt>;
using XmlTextReaderPtr = UniqueC<xmlTextReader, xmlFreeTextReader>;
using XmlCharPtr = UniqueC<xmlChar, free_xml_char>;
using EvpCipherCtxPtr = UniqueC<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>;
using EvpMdCtxPtr = UniqueC<EVP_MD_CTX, EVP_MD_CTX_free>;

}  // namespace msn
