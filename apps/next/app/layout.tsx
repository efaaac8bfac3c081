import type { Metadata } from 'next'
import type { ReactNode } from 'react'
import '@shareflow/react/styles.css'
import './globals.css'

export const metadata: Metadata = {
  title: 'Shareflow on Next.js',
  description: 'Persona-verified Coinflow payouts in a Next.js App Router app',
}

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  )
}
